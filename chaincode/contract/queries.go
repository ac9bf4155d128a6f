package contract

import (
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"

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
	return getAssembledLot(ctx.GetStub(), lotId)
}

// getAssembledLot loads a lot with its entries and their summary (for queries and scans).
func getAssembledLot(stub shim.ChaincodeStubInterface, lotID string) (*Lot, error) {
	lot, err := getLot(stub, lotID)
	if err != nil {
		return nil, err
	}
	if err := assembleLot(stub, lot); err != nil {
		return nil, err
	}
	return lot, nil
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
	lot, err := getLot(stub, lotId) // the record without its entries: a trace scans nothing
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

// ListLots returns every lot sorted by id (intended for demo-sized ledgers; ListLotsPage pages).
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

// LotPage is one page of a lot list: pass bookmark back for the next page ("" = no more).
type LotPage struct {
	Lots     []*Lot `json:"lots"`
	Bookmark string `json:"bookmark"`
	Fetched  int    `json:"fetched"`
}

// TemperaturePage is one page of a lot's temperature readings, oldest first.
type TemperaturePage struct {
	Readings []TemperatureReading `json:"readings"`
	Bookmark string               `json:"bookmark"`
	Fetched  int                  `json:"fetched"`
}

// maxBookmarkLength bounds a bookmark argument (lot keys are far shorter).
const maxBookmarkLength = 1024

func checkPage(pageSize int, bookmark string) error {
	if pageSize < 1 || pageSize > MaxPageSize {
		return newError("PAGE_SIZE_OUT_OF_RANGE", Params{"max": MaxPageSize, "value": pageSize})
	}
	if n := len(bookmark); n > maxBookmarkLength {
		return newError("TEXT_TOO_LONG", Params{"field": "bookmark", "max": maxBookmarkLength, "length": n})
	}
	return nil
}

// A bookmark is the peer's (the ledger key the next page starts at) without the list's prefix,
// base64url-encoded: printable (ledger keys hold U+0000 separators, which no text field accepts),
// and it always decodes to a key inside the list (the peer starts the range at the bookmark, so
// a raw key from elsewhere would read other records).
func decodeBookmark(prefix, bookmark string) (string, error) {
	if bookmark == "" {
		return "", nil
	}
	suffix, err := base64.RawURLEncoding.DecodeString(bookmark)
	if err != nil || len(suffix) == 0 {
		return "", newError("BOOKMARK_INVALID", nil)
	}
	return prefix + string(suffix), nil
}

func encodeBookmark(prefix, key string) string {
	if !strings.HasPrefix(key, prefix) || len(key) == len(prefix) {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(key[len(prefix):]))
}

// iteratePage visits one page of the keys under a partial composite key and returns the
// bookmark of the next page ("" when the list is exhausted) and the number of keys visited.
func iteratePage(stub shim.ChaincodeStubInterface, objectType string, attrs []string, pageSize int, bookmark string,
	visit func(key string, value []byte) error) (string, int, error) {
	prefix := compositeKey(objectType, attrs...)
	start, err := decodeBookmark(prefix, bookmark)
	if err != nil {
		return "", 0, err
	}
	it, meta, err := stub.GetStateByPartialCompositeKeyWithPagination(objectType, attrs, int32(pageSize), start)
	if err != nil {
		return "", 0, ledgerError("GetStateByPartialCompositeKeyWithPagination", err)
	}
	defer it.Close()
	fetched := 0
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return "", 0, ledgerError("iterator Next", err)
		}
		if err := visit(kv.Key, kv.Value); err != nil {
			return "", 0, err
		}
		fetched++
	}
	if fetched < pageSize || meta == nil {
		return "", fetched, nil // exhausted: no bookmark that would only answer an empty page
	}
	return encodeBookmark(prefix, meta.GetBookmark()), fetched, nil
}

// lotPageFromIndex loads the lots of one page of an index (custodian~lot, status~lot).
func lotPageFromIndex(stub shim.ChaincodeStubInterface, index string, attrs []string, pageSize int, bookmark string) (*LotPage, error) {
	var ids []string
	next, fetched, err := iteratePage(stub, index, attrs, pageSize, bookmark, func(key string, _ []byte) error {
		ids = append(ids, lastAttr(key))
		return nil
	})
	if err != nil {
		return nil, err
	}
	page := &LotPage{Lots: make([]*Lot, 0, len(ids)), Bookmark: next, Fetched: fetched}
	for _, id := range ids {
		lot, err := getLot(stub, id)
		if err != nil {
			return nil, err
		}
		page.Lots = append(page.Lots, lot)
	}
	return page, nil
}

// ListLotsPage returns up to pageSize lots sorted by id, from bookmark ("" = the first page).
func (c *SmartContract) ListLotsPage(ctx contractapi.TransactionContextInterface, pageSize int, bookmark string) (*LotPage, error) {
	if err := checkPage(pageSize, bookmark); err != nil {
		return nil, err
	}
	page := &LotPage{Lots: []*Lot{}}
	next, fetched, err := iteratePage(ctx.GetStub(), objLot, nil, pageSize, bookmark, func(_ string, value []byte) error {
		lot := &Lot{}
		if err := json.Unmarshal(value, lot); err != nil {
			return newError("CORRUPT_LOT_RECORD", Params{"error": err})
		}
		lot.normalize()
		page.Lots = append(page.Lots, lot)
		return nil
	})
	if err != nil {
		return nil, err
	}
	page.Bookmark, page.Fetched = next, fetched
	return page, nil
}

// ListLotsByStatusPage is ListLotsByStatus one page at a time.
func (c *SmartContract) ListLotsByStatusPage(ctx contractapi.TransactionContextInterface, status string, pageSize int, bookmark string) (*LotPage, error) {
	if err := firstError(checkOneOf("status", status, AllStatuses), checkPage(pageSize, bookmark)); err != nil {
		return nil, err
	}
	return lotPageFromIndex(ctx.GetStub(), objStatusIdx, []string{status}, pageSize, bookmark)
}

// ListLotsByCustodianPage is ListLotsByCustodian one page at a time.
func (c *SmartContract) ListLotsByCustodianPage(ctx contractapi.TransactionContextInterface, mspId string, pageSize int, bookmark string) (*LotPage, error) {
	if err := firstError(checkID("mspId", mspId), checkPage(pageSize, bookmark)); err != nil {
		return nil, err
	}
	return lotPageFromIndex(ctx.GetStub(), objCustodianIdx, []string{mspId}, pageSize, bookmark)
}

// ListTemperatures returns one page of the lot's temperature readings, oldest first (readings a
// lot written by an earlier contract version holds inline are listed by GetLot only).
func (c *SmartContract) ListTemperatures(ctx contractapi.TransactionContextInterface, lotId string, pageSize int, bookmark string) (*TemperaturePage, error) {
	if err := firstError(checkID("lotId", lotId), checkPage(pageSize, bookmark)); err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	if _, err := getLot(stub, lotId); err != nil {
		return nil, err
	}
	page := &TemperaturePage{Readings: []TemperatureReading{}}
	next, fetched, err := iteratePage(stub, objTemperature, []string{lotId}, pageSize, bookmark, func(_ string, value []byte) error {
		var r TemperatureReading
		if err := json.Unmarshal(value, &r); err != nil {
			return newError("CORRUPT_LEDGER_RECORD", Params{"error": err})
		}
		page.Readings = append(page.Readings, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	page.Bookmark, page.Fetched = next, fetched
	return page, nil
}
