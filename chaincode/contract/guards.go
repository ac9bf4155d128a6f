package contract

import "strings"

// workableStatuses are the statuses in which the custodian holds the lot at rest
// and may process, split, ship or sell it.
var workableStatuses = []string{StatusHarvested, StatusProcessed, StatusPackaged, StatusReceived}

// loadActiveLot loads a lot and fails with RECALLED when it has been recalled.
func (t *txn) loadActiveLot(lotID string) (*Lot, error) {
	lot, err := getLot(t.stub, lotID)
	if err != nil {
		return nil, err
	}
	if lot.Status == StatusRecalled {
		return nil, newError("LOT_RECALLED", Params{"lot": lotID})
	}
	return lot, nil
}

// requireCustodian fails with NOT_CUSTODIAN unless the caller's MSP holds the lot.
func (t *txn) requireCustodian(lot *Lot) error {
	if lot.Custodian != t.msp {
		return newError("NOT_CUSTODIAN_HELD_BY", Params{"lot": lot.LotID, "custodian": lot.Custodian, "caller": t.msp})
	}
	return nil
}

// workableLotAs loads a lot for a custodian's action: the caller must hold role, hold the lot, and
// the lot must be at rest (not recalled, not in transit or quarantine). action names it in errors.
func (t *txn) workableLotAs(role, lotID, action string) (*Lot, error) {
	if err := t.requireRole(role); err != nil {
		return nil, err
	}
	lot, err := t.loadActiveLot(lotID)
	if err != nil {
		return nil, err
	}
	if err := t.requireCustodian(lot); err != nil {
		return nil, err
	}
	if err := requireStatus(lot, action, workableStatuses...); err != nil {
		return nil, err
	}
	return lot, nil
}

// requireStatus fails with INVALID_STATE unless the lot is in one of allowed.
func requireStatus(lot *Lot, action string, allowed ...string) error {
	if containsString(allowed, lot.Status) {
		return nil
	}
	return newError("LOT_STATUS_NOT_ALLOWED", Params{
		"action": action, "lot": lot.LotID, "status": lot.Status, "allowed": strings.Join(allowed, ", "),
	})
}

// touch stamps the lot as updated by the current transaction.
func (t *txn) touch(lot *Lot) {
	lot.UpdatedAt = t.now
}
