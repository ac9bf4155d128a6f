package contract

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// ProposeTransfer offers custody of a lot to toMsp. The custodian keeps the lot until
// the receiver accepts; meanwhile the lot is IN_TRANSIT with a pendingTransfer.
// carrier, vehicle and route are optional free text.
func (c *SmartContract) ProposeTransfer(ctx contractapi.TransactionContextInterface, lotId string, toMsp string, carrier string, vehicle string, route string) (*Lot, error) {
	return c.proposeTransfer(ctx, lotId, toMsp, carrier, vehicle, route, "", "")
}

// ProposeTransferWithDocument is ProposeTransfer plus the shipping document (FSMA 204 KDE: reference
// document type and number, e.g. BILL_OF_LADING) in the same transaction. Both empty: no document.
func (c *SmartContract) ProposeTransferWithDocument(ctx contractapi.TransactionContextInterface, lotId string, toMsp string, carrier string, vehicle string, route string, docType string, docNumber string) (*Lot, error) {
	return c.proposeTransfer(ctx, lotId, toMsp, carrier, vehicle, route, docType, docNumber)
}

func (c *SmartContract) proposeTransfer(ctx contractapi.TransactionContextInterface, lotId, toMsp, carrier, vehicle, route, docType, docNumber string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	checks := []error{
		checkID("lotId", lotId),
		checkID("toMsp", toMsp),
		checkText("carrier", carrier, 0, MaxShortText),
		checkText("vehicle", vehicle, 0, MaxShortText),
		checkText("route", route, 0, MaxText),
		checkOptionalDocument("SHIPPING", docType, docNumber),
	}
	if err := firstError(checks...); err != nil {
		return nil, err
	}
	if toMsp == t.msp {
		return nil, newError("TRANSFER_TO_SELF", Params{"msp": toMsp})
	}
	lot, err := t.loadActiveLot(lotId)
	if err != nil {
		return nil, err
	}
	if err := t.requireCustodian(lot); err != nil {
		return nil, err
	}
	if err := requireStatus(lot, "ship", workableStatuses...); err != nil {
		return nil, err
	}
	receiverRoles, err := rolesOf(t.stub, toMsp)
	if err != nil {
		return nil, err
	}
	if len(receiverRoles) == 0 {
		return nil, newError("RECEIVER_WITHOUT_ROLE", Params{"msp": toMsp})
	}
	lot.PendingTransfer = &Transfer{
		FromMsp:        t.msp,
		ToMsp:          toMsp,
		Carrier:        carrier,
		Vehicle:        vehicle,
		Route:          route,
		Status:         TransferPending,
		PreviousStatus: lot.Status,
		ProposedTxID:   t.txID,
		ProposedAt:     t.now,
	}
	lot.setStatus(StatusInTransit)
	t.touch(lot)
	ev := t.newEvent(EventTransferProposed, lotId)
	ev.FromMsp = t.msp
	ev.ToMsp = toMsp
	ev.Carrier = carrier
	ev.Vehicle = vehicle
	ev.Route = route
	ev.Status = lot.Status
	if err := t.saveWithDocument(lot, ev, "SHIPPING", docType, docNumber); err != nil {
		return nil, err
	}
	return lot, nil
}

// saveWithDocument saves the lot and its event, and the reference document when one is given.
func (t *txn) saveWithDocument(lot *Lot, ev *Event, cte, docType, docNumber string) error {
	if docType != "" {
		if _, err := t.putDocument(lot.LotID, cte, docType, docNumber); err != nil {
			return err
		}
	}
	return t.saveAndPublish(lot, ev)
}

// AcceptTransfer makes the receiving MSP the custodian (status RECEIVED). If the lot
// was quarantined in transit it stays QUARANTINED and returns to RECEIVED on release.
func (c *SmartContract) AcceptTransfer(ctx contractapi.TransactionContextInterface, lotId string) (*Lot, error) {
	return c.resolveTransfer(ctx, lotId, TransferAccepted, "", "", "")
}

// AcceptTransferWithDocument is AcceptTransfer plus the receiving document (e.g. ASN or INVOICE)
// in the same transaction. Both empty: no document.
func (c *SmartContract) AcceptTransferWithDocument(ctx contractapi.TransactionContextInterface, lotId string, docType string, docNumber string) (*Lot, error) {
	return c.resolveTransfer(ctx, lotId, TransferAccepted, "", docType, docNumber)
}

// RejectTransfer lets the receiving MSP refuse a pending transfer; the lot returns to
// its status before the transfer.
func (c *SmartContract) RejectTransfer(ctx contractapi.TransactionContextInterface, lotId string, reason string) (*Lot, error) {
	return c.resolveTransfer(ctx, lotId, TransferRejected, reason, "", "")
}

// CancelTransfer lets the proposer withdraw a pending transfer; the lot returns to
// its status before the transfer.
func (c *SmartContract) CancelTransfer(ctx contractapi.TransactionContextInterface, lotId string) (*Lot, error) {
	return c.resolveTransfer(ctx, lotId, TransferCancelled, "", "", "")
}

func (c *SmartContract) resolveTransfer(ctx contractapi.TransactionContextInterface, lotID, outcome, reason, docType, docNumber string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := firstError(checkID("lotId", lotID), checkOptionalDocument("RECEIVING", docType, docNumber)); err != nil {
		return nil, err
	}
	if outcome == TransferRejected {
		if err := checkText("reason", reason, 1, MaxLongText); err != nil {
			return nil, err
		}
	}
	lot, err := t.loadActiveLot(lotID)
	if err != nil {
		return nil, err
	}
	pending := lot.PendingTransfer
	if pending == nil {
		return nil, newError("NO_PENDING_TRANSFER", Params{"lot": lotID})
	}
	if outcome == TransferCancelled {
		if pending.FromMsp != t.msp {
			return nil, newError("TRANSFER_CANCEL_PROPOSER_ONLY", Params{"proposer": pending.FromMsp, "lot": lotID})
		}
	} else if pending.ToMsp != t.msp {
		return nil, newError("TRANSFER_DECIDE_RECEIVER_ONLY", Params{"receiver": pending.ToMsp, "lot": lotID})
	}

	restore := pending.PreviousStatus
	name := EventTransferCancelled
	switch outcome {
	case TransferAccepted:
		restore = StatusReceived
		lot.Custodian = pending.ToMsp
		name = EventTransferAccepted
	case TransferRejected:
		name = EventTransferRejected
	}
	if lot.Status == StatusQuarantined {
		lot.PreviousStatus = restore // restored by ReleaseQuarantine
	} else {
		lot.setStatus(restore)
	}
	resolved := *pending
	resolved.Status = outcome
	resolved.ResolvedBy = t.msp
	resolved.ResolvedTxID = t.txID
	resolved.ResolvedAt = t.now
	resolved.Reason = reason
	lot.Shipments = append(lot.Shipments, resolved)
	lot.PendingTransfer = nil
	t.touch(lot)
	ev := t.newEvent(name, lotID)
	ev.FromMsp = pending.FromMsp
	ev.ToMsp = pending.ToMsp
	ev.Reason = reason
	ev.Custodian = lot.Custodian
	ev.Status = lot.Status
	if err := t.saveWithDocument(lot, ev, "RECEIVING", docType, docNumber); err != nil {
		return nil, err
	}
	return lot, nil
}
