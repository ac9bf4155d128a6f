package contract

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// RecallLot recalls a lot and every descendant in one transaction (status RECALLED).
// Growers, processors and the lot's current custodian may recall. Pending transfers
// of recalled lots are voided. One LotRecalled event lists every recalled lot id.
func (c *SmartContract) RecallLot(ctx contractapi.TransactionContextInterface, lotId string, reason string) ([]string, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := firstError(checkID("lotId", lotId), checkText("reason", reason, 1, MaxLongText)); err != nil {
		return nil, err
	}
	root, err := t.loadActiveLot(lotId)
	if err != nil {
		return nil, err
	}
	if root.Custodian != t.msp {
		allowed, err := t.callerHasRole(RoleGrower, RoleProcessor)
		if err != nil {
			return nil, err
		}
		if !allowed {
			return nil, newError("RECALL_NOT_ALLOWED", Params{"custodian": root.Custodian, "lot": lotId})
		}
	}
	if err := t.requireAttrRole(AttrRoleRecallManager, "recall a lot"); err != nil {
		return nil, err
	}
	// Collect the lot and all descendants (breadth first, children in creation order).
	lots := []*Lot{root}
	seen := map[string]bool{lotId: true}
	for i := 0; i < len(lots); i++ {
		for _, childID := range lots[i].ChildIDs {
			if seen[childID] { // guards against corrupt (cyclic) links
				continue
			}
			seen[childID] = true
			child, err := getLot(t.stub, childID)
			if err != nil {
				return nil, err
			}
			if child.Status != StatusRecalled {
				lots = append(lots, child)
			}
		}
	}
	ids := make([]string, 0, len(lots))
	for _, l := range lots {
		ids = append(ids, l.LotID)
	}
	events := make([]*Event, 0, len(lots))
	for _, l := range lots {
		l.Recall = &Recall{Reason: reason, RecalledBy: t.msp, RootLotID: lotId, TxID: t.txID, Timestamp: t.now}
		if l.PendingTransfer != nil {
			voided := *l.PendingTransfer
			voided.Status = TransferVoided
			voided.ResolvedBy = t.msp
			voided.ResolvedTxID = t.txID
			voided.ResolvedAt = t.now
			voided.Reason = reason
			l.Shipments = append(l.Shipments, voided)
			l.PendingTransfer = nil
		}
		l.setStatus(StatusRecalled)
		t.touch(l)
		ev := t.newEvent(EventLotRecalled, l.LotID)
		ev.Reason = reason
		ev.RootLotID = lotId
		ev.Status = StatusRecalled
		ev.PreviousStatus = l.PreviousStatus
		if err := t.stageEvent(ev); err != nil {
			return nil, err
		}
		events = append(events, ev)
	}
	events[0].LotIDs = ids // the root lot's event is the chaincode event
	for i, l := range lots {
		if err := putLot(t.stub, l); err != nil {
			return nil, err
		}
		if err := t.storeEvent(events[i]); err != nil {
			return nil, err
		}
	}
	if err := t.emit(events[0]); err != nil {
		return nil, err
	}
	return ids, nil
}
