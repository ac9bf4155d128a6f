package contract

import (
	"encoding/json"
	"sort"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// maxLineageDepth bounds parent-link walks (protects against corrupt data).
const maxLineageDepth = 64

// GetLot returns one lot.
func (c *SmartContract) GetLot(ctx contractapi.TransactionContextInterface, lotId string) (*Lot, error) {
	if err := checkID("lotId", lotId); err != nil {
		return nil, err
	}
	return getLot(ctx.GetStub(), lotId)
}

// GetLotEvents returns the lot's event list in order (the UI timeline).
func (c *SmartContract) GetLotEvents(ctx contractapi.TransactionContextInterface, lotId string) ([]Event, error) {
	if err := checkID("lotId", lotId); err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	if _, err := getLot(stub, lotId); err != nil {
		return nil, err
	}
	return lotEvents(stub, lotId)
}

// GetLotHistory returns every committed version of the lot record (oldest first as
// delivered by the peer).
func (c *SmartContract) GetLotHistory(ctx contractapi.TransactionContextInterface, lotId string) ([]HistoryEntry, error) {
	if err := checkID("lotId", lotId); err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	if _, err := getLot(stub, lotId); err != nil {
		return nil, err
	}
	it, err := stub.GetHistoryForKey(lotKey(lotId))
	if err != nil {
		return nil, ledgerError("GetHistoryForKey", err)
	}
	defer it.Close()
	entries := []HistoryEntry{}
	for it.HasNext() {
		mod, err := it.Next()
		if err != nil {
			return nil, ledgerError("history Next", err)
		}
		entry := HistoryEntry{TxID: mod.GetTxId(), IsDelete: mod.GetIsDelete()}
		if ts := mod.GetTimestamp(); ts != nil {
			entry.Timestamp = formatTime(ts.AsTime())
		}
		if !mod.GetIsDelete() && len(mod.GetValue()) > 0 {
			lot := &Lot{}
			if err := json.Unmarshal(mod.GetValue(), lot); err != nil {
				return nil, newError("CORRUPT_HISTORY_RECORD", Params{"error": err})
			}
			lot.normalize()
			entry.Value = lot
		}
		entries = append(entries, entry)
	}
	return entries, nil
}

// ancestry returns the ancestors of lot, farm lot first.
func ancestry(stub shim.ChaincodeStubInterface, lot *Lot) ([]*Lot, error) {
	var line []*Lot
	current := lot
	for current.ParentID != "" {
		if len(line) >= maxLineageDepth {
			return nil, newError("LINEAGE_TOO_DEEP", Params{"lot": lot.LotID, "max": maxLineageDepth})
		}
		parent, err := getLot(stub, current.ParentID)
		if err != nil {
			return nil, err
		}
		line = append([]*Lot{parent}, line...)
		current = parent
	}
	return line, nil
}

func summary(l *Lot, depth int) LotSummary {
	return LotSummary{
		LotID: l.LotID, ParentID: l.ParentID, ProductID: l.ProductID, Variety: l.Variety,
		Quantity: l.Quantity, RemainingQuantity: l.RemainingQuantity, Unit: l.Unit,
		OriginMsp: l.OriginMsp, Custodian: l.Custodian, Status: l.Status, Depth: depth, CreatedAt: l.CreatedAt,
	}
}

// TraceLot returns the lot, its ancestors (nearest parent first, ending with the farm
// lot), every descendant (breadth first, following child links) and the sorted
// distinct custodians of the lot and its descendants. Cost is one read per lot in
// the family: no state scans.
func (c *SmartContract) TraceLot(ctx contractapi.TransactionContextInterface, lotId string) (*TraceResult, error) {
	if err := checkID("lotId", lotId); err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	lot, err := getLot(stub, lotId)
	if err != nil {
		return nil, err
	}
	line, err := ancestry(stub, lot)
	if err != nil {
		return nil, err
	}
	result := &TraceResult{Lot: lot, Ancestors: []LotSummary{}, Descendants: []LotSummary{}, Holders: []string{}}
	for i := len(line) - 1; i >= 0; i-- {
		result.Ancestors = append(result.Ancestors, summary(line[i], i-len(line)))
	}
	holders := map[string]bool{lot.Custodian: true}
	type queued struct {
		id    string
		depth int
	}
	seen := map[string]bool{lot.LotID: true}
	var queue []queued
	enqueue := func(ids []string, depth int) {
		for _, id := range ids {
			if !seen[id] { // guards against corrupt (cyclic) links
				seen[id] = true
				queue = append(queue, queued{id, depth})
			}
		}
	}
	enqueue(lot.ChildIDs, 1)
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		child, err := getLot(stub, next.id)
		if err != nil {
			return nil, err
		}
		result.Descendants = append(result.Descendants, summary(child, next.depth))
		holders[child.Custodian] = true
		enqueue(child.ChildIDs, next.depth+1)
	}
	for h := range holders {
		result.Holders = append(result.Holders, h)
	}
	sort.Strings(result.Holders)
	return result, nil
}

// ListLotsByCustodian returns the lots currently held by mspId, sorted by lot id.
func (c *SmartContract) ListLotsByCustodian(ctx contractapi.TransactionContextInterface, mspId string) ([]*Lot, error) {
	if err := checkID("mspId", mspId); err != nil {
		return nil, err
	}
	return lotsFromIndex(ctx.GetStub(), objCustodianIdx, []string{mspId})
}

// ListLotsByStatus returns the lots in status, sorted by lot id.
func (c *SmartContract) ListLotsByStatus(ctx contractapi.TransactionContextInterface, status string) ([]*Lot, error) {
	if err := checkOneOf("status", status, AllStatuses); err != nil {
		return nil, err
	}
	return lotsFromIndex(ctx.GetStub(), objStatusIdx, []string{status})
}

// ListLots returns every lot sorted by id (intended for demo-sized ledgers).
func (c *SmartContract) ListLots(ctx contractapi.TransactionContextInterface) ([]*Lot, error) {
	lots := []*Lot{}
	err := iterate(ctx.GetStub(), objLot, nil, func(_ string, value []byte) error {
		lot := &Lot{}
		if err := json.Unmarshal(value, lot); err != nil {
			return newError("CORRUPT_LOT_RECORD", Params{"error": err})
		}
		lot.normalize()
		lots = append(lots, lot)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return lots, nil
}
