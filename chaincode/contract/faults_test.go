package contract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type step struct {
	id        **identity
	transient map[string][]byte
	fn        string
	args      []string
}

// script exercises every transaction once, in an order where each succeeds.
func script() []step {
	price := map[string][]byte{TransientPriceField: []byte(validPrice)}
	s := func(id **identity, fn string, args ...string) step { return step{id: id, fn: fn, args: args} }
	return []step{
		s(&ids.farm, "InitRoles", `{"FarmMSP":["grower"],"ProcessorMSP":["processor"],"RetailerMSP":["retailer"]}`),
		s(&ids.farmAdmin, "GrantRole", "CarrierMSP", "carrier"),
		s(&ids.farmAdmin, "GrantRole", "RetailerMSP", "carrier"),
		s(&ids.farmAdmin, "RevokeRole", "RetailerMSP", "carrier"),
		s(&ids.farm, "GetRoles"),
		s(&ids.farm, "DefineProduct", "tomato", "Tomatoes", "2", "8"),
		s(&ids.farm, "GetProduct", "tomato"),
		s(&ids.farm, "ListProducts"),
		s(&ids.farm, "HarvestLot", "LOT-1", "tomato", "Roma", "100", "kg", "Farm", "Loc", "P1", "2025-05-30"),
		s(&ids.farm, "RecordInput", "LOT-1", "FERTILISER", "NPK", "1 kg", "2025-04-01"),
		s(&ids.farm, "AnchorCertificate", "LOT-1", "ORG-1", "organic", "EcoCert", hashA, "2025-01-01", "2025-12-31"),
		s(&ids.farm, "ProposeTransfer", "LOT-1", "ProcessorMSP", "Cold", "TRK", "route"),
		s(&ids.carrier, "RecordCheckpoint", "LOT-1", "1", "2", "Depot", ""),
		s(&ids.carrier, "RecordTemperature", "LOT-1", "4", "truck"),
		s(&ids.carrier, "RecordTemperatures", "LOT-1", `[{"celsius":5,"location":"truck"},{"celsius":6,"location":""}]`),
		s(&ids.carrier, "RecordTemperature", "LOT-1", "11", "truck"),
		s(&ids.proc, "AcceptTransfer", "LOT-1"),
		s(&ids.proc, "ReleaseQuarantine", "LOT-1", "checked"),
		s(&ids.proc, "ProcessLot", "LOT-1", "WASHING", ""),
		s(&ids.proc, "SplitLot", "LOT-1", `[{"lotId":"C1","quantity":60},{"lotId":"C2","quantity":40}]`),
		s(&ids.proc, "SplitLot", "C1", `[{"lotId":"G1","quantity":10}]`),
		s(&ids.proc, "ProposeTransfer", "C2", "RetailerMSP", "", "", ""),
		s(&ids.retail, "RejectTransfer", "C2", "late"),
		s(&ids.proc, "ProposeTransfer", "C2", "RetailerMSP", "", "", ""),
		s(&ids.proc, "CancelTransfer", "C2"),
		s(&ids.proc, "ProposeTransfer", "C2", "RetailerMSP", "", "", ""),
		s(&ids.retail, "AcceptTransfer", "C2"),
		{id: &ids.retail, transient: price, fn: "SetPrice", args: []string{"C2"}},
		s(&ids.retail, "GetPrice", "C2"),
		s(&ids.farm, "VerifyPrice", "C2", validPrice),
		s(&ids.retail, "MarkSold", "C2", "Store 1"),
		s(&ids.retail, "CheckAuthenticity", "C2", "Store 1"),
		s(&ids.retail, "CheckAuthenticity", "C2", "Store 2"),
		s(&ids.farm, "VerifyCertificate", "G1", "ORG-1", hashA),
		s(&ids.farm, "GetLot", "C1"),
		s(&ids.farm, "GetLotEvents", "C1"),
		s(&ids.farm, "GetLotHistory", "LOT-1"),
		s(&ids.farm, "TraceLot", "C1"),
		s(&ids.farm, "ListLotsByCustodian", "ProcessorMSP"),
		s(&ids.farm, "ListLotsByStatus", "PACKAGED"),
		s(&ids.farm, "ListLots"),
		s(&ids.farm, "ListLotsPage", "2", ""),
		s(&ids.farm, "ListLotsByStatusPage", "PACKAGED", "1", ""),
		s(&ids.farm, "ListLotsByCustodianPage", "ProcessorMSP", "1", ""),
		s(&ids.farm, "ListTemperatures", "LOT-1", "2", ""),
		s(&ids.proc, "ProposeTransfer", "G1", "RetailerMSP", "", "", ""),
		s(&ids.farm, "RecallLot", "LOT-1", "salmonella"),
	}
}

var faultOps = []string{
	"GetCreator", "GetTxTimestamp", "GetTransient", "GetState", "PutState", "DelState",
	"GetStateByPartialCompositeKey", "GetStateByPartialCompositeKeyWithPagination", "Next", "GetHistoryForKey", "GetPrivateData", "PutPrivateData", "SetEvent",
}

// TestLedgerFaults makes every ledger call of every transaction fail in turn and
// checks the failure is reported with a documented code (and, as in Fabric, the
// failed transaction is not committed).
func TestLedgerFaults(t *testing.T) {
	e := newEnv(t)
	for _, st := range script() {
		id := *st.id
		for _, op := range faultOps {
			for n := 1; n < 200; n++ {
				e.stub.failOp, e.stub.failAt = op, n
				resp := e.invoke(id, st.transient, st.fn, st.args...)
				e.stub.failOp, e.stub.failAt = "", 0
				if resp.Status == 200 {
					break // the transaction makes fewer than n such calls
				}
				want := "INVALID_STATE: "
				if op == "GetCreator" {
					want = "FORBIDDEN: "
				}
				require.True(t, strings.HasPrefix(resp.Message, want), "%s with %s #%d failing: %q", st.fn, op, n, resp.Message)
				requireWireError(t, resp.Message, Code(strings.TrimSuffix(want, ": ")), "")
			}
		}
		e.okT(id, st.transient, st.fn, st.args...)
	}
}

func TestCorruptRecords(t *testing.T) {
	e := newEnv(t)
	for _, st := range script()[:20] {
		e.okT(*st.id, st.transient, st.fn, st.args...)
	}
	corrupt := func(key string, value string, id *identity, fn string, args ...string) {
		t.Helper()
		old := e.stub.state[key]
		e.stub.state[key] = []byte(value)
		e.fail(id, CodeInvalidState, fn, args...)
		if old == nil {
			delete(e.stub.state, key)
		} else {
			e.stub.state[key] = old
		}
	}
	corrupt(lotKey("C1"), "{", ids.farm, "GetLot", "C1")
	corrupt(lotKey("C1"), "{", ids.farm, "ListLots")
	corrupt(lotKey("C1"), "{", ids.farm, "ListLotsPage", "10", "")
	corrupt(lotKey("C1"), "{", ids.farm, "ListLotsByCustodianPage", "ProcessorMSP", "10", "")
	for key := range e.stub.state {
		if strings.HasPrefix(key, compositeKey(objTemperature, "LOT-1")) {
			corrupt(key, "[", ids.farm, "GetLot", "LOT-1")
			corrupt(key, "[", ids.farm, "ListTemperatures", "LOT-1", "10", "")
			break
		}
	}
	corrupt(eventSeqKey("C1"), "x", ids.proc, "RecordTemperature", "C1", "4", "")
	corrupt(roleKey("FarmMSP"), "[", ids.farm, "GetRoles")
	corrupt(productKey("tomato"), "[", ids.farm, "ListProducts")
	corrupt(productKey("tomato"), "[", ids.farm, "GetProduct", "tomato")
	corrupt(eventKey("C1", 1), "x", ids.farm, "GetLotEvents", "C1")
	corrupt(eventSeqKey("C1"), "x", ids.proc, "ProcessLot", "C1", "GRADING", "")
	corrupt(authCheckKey("C1"), "x", ids.farm, "CheckAuthenticity", "C1", "Store")

	e.stub.private[PriceCollection] = map[string][]byte{priceKey("C1"): []byte("nope")}
	e.fail(ids.proc, CodeInvalidState, "GetPrice", "C1")

	hist := e.stub.history[lotKey("C1")]
	hist[0].Value = []byte("{")
	e.fail(ids.farm, CodeInvalidState, "GetLotHistory", "C1")
}

func TestCorruptLineage(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("A", "10")
	e.harvest("B", "10")
	link := func(id, parent string, children ...string) {
		var lot Lot
		found, err := getJSON(e.stub, lotKey(id), &lot)
		require.NoError(t, err)
		require.True(t, found)
		lot.ParentID = parent
		lot.ChildIDs = children
		e.stub.state[lotKey(id)] = mustJSON(t, lot)
	}
	// a cycle A <-> B
	link("A", "B", "B")
	link("B", "A", "A")
	e.fail(ids.farm, CodeInvalidState, "TraceLot", "A")
	e.fail(ids.farm, CodeInvalidState, "CheckAuthenticity", "A", "Store")
	e.fail(ids.farm, CodeNotFound, "VerifyCertificate", "A", "NOPE", hashA)
	// descendants walk terminates
	link("A", "", "B")
	tr := decode[TraceResult](t, e.ok(ids.farm, "TraceLot", "A"))
	require.Len(t, tr.Descendants, 1)
	require.Equal(t, []string{"A", "B"}, decode[[]string](t, e.ok(ids.farm, "RecallLot", "A", "cycle")))
	// dangling child link
	e.harvest("D", "1")
	link("D", "", "MISSING")
	e.fail(ids.farm, CodeNotFound, "TraceLot", "D")
	e.fail(ids.farm, CodeNotFound, "RecallLot", "D", "x")
	// product deleted under a lot
	delete(e.stub.state, productKey("tomato"))
	e.fail(ids.farm, CodeNotFound, "RecordTemperature", "D", "4", "")
	e.fail(ids.farm, CodeNotFound, "CheckAuthenticity", "D", "Store")
}
