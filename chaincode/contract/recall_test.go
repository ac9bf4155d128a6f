package contract

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// family builds LOT-1 -> (C1 -> G1, C2 in transit to the retailer, C3 sold).
func family(e *env) {
	e.setup()
	e.harvest("LOT-1", "100")
	e.toProcessor("LOT-1")
	e.ok(ids.proc, "SplitLot", "LOT-1", `[{"lotId":"C1","quantity":10},{"lotId":"C2","quantity":10},{"lotId":"C3","quantity":10}]`)
	e.ok(ids.proc, "SplitLot", "C1", `[{"lotId":"G1","quantity":5}]`)
	e.toRetailer("C3")
	e.ok(ids.retail, "MarkSold", "C3", "Store 1")
	e.ok(ids.proc, "ProposeTransfer", "C2", "RetailerMSP", "", "", "")
}

func TestRecallCascade(t *testing.T) {
	e := newEnv(t)
	family(e)
	e.fail(ids.carrier, CodeForbidden, "RecallLot", "C1", "x")
	e.fail(ids.retail, CodeForbidden, "RecallLot", "C1", "x")
	e.fail(ids.farm, CodeInvalidArgument, "RecallLot", "LOT-1", "")
	e.fail(ids.farm, CodeNotFound, "RecallLot", "LOT-9", "x")

	recalled := decode[[]string](t, e.ok(ids.farm, "RecallLot", "LOT-1", "salmonella"))
	require.Equal(t, []string{"LOT-1", "C1", "C2", "C3", "G1"}, recalled)
	name, payload := e.lastEvent()
	require.Equal(t, EventLotRecalled, name)
	require.Equal(t, "LOT-1", payload["lotId"])
	require.Equal(t, []any{"LOT-1", "C1", "C2", "C3", "G1"}, payload["lotIds"])
	require.Equal(t, "salmonella", payload["reason"])

	for _, id := range recalled {
		lot := e.getLot(id)
		require.Equal(t, StatusRecalled, lot.Status, id)
		require.Equal(t, &Recall{Reason: "salmonella", RecalledBy: "FarmMSP", RootLotID: "LOT-1", TxID: lot.Recall.TxID, Timestamp: lot.Recall.Timestamp}, lot.Recall)
		events := decode[[]Event](t, e.ok(ids.farm, "GetLotEvents", id))
		last := events[len(events)-1]
		require.Equal(t, EventLotRecalled, last.Name)
		require.Equal(t, id, last.LotID)
	}
	c2 := e.getLot("C2")
	require.Nil(t, c2.PendingTransfer)
	require.Equal(t, TransferVoided, c2.Shipments[len(c2.Shipments)-1].Status)
	require.Equal(t, StatusInTransit, c2.PreviousStatus)
	require.Equal(t, StatusSold, e.getLot("C3").PreviousStatus)
	require.Len(t, decode[[]Lot](t, e.ok(ids.farm, "ListLotsByStatus", StatusRecalled)), 5)

	// recalled lots refuse every custody change
	e.fail(ids.farm, CodeRecalled, "RecallLot", "LOT-1", "again")
	e.fail(ids.proc, CodeRecalled, "ProcessLot", "C1", "WASHING", "")
	e.fail(ids.proc, CodeRecalled, "SplitLot", "C1", `[{"lotId":"G2","quantity":1}]`)
	e.fail(ids.proc, CodeRecalled, "ProposeTransfer", "C1", "RetailerMSP", "", "", "")
	e.fail(ids.retail, CodeRecalled, "AcceptTransfer", "C2")
	e.fail(ids.retail, CodeRecalled, "RejectTransfer", "C2", "x")
	e.fail(ids.proc, CodeRecalled, "CancelTransfer", "C2")
	e.fail(ids.retail, CodeRecalled, "MarkSold", "C3", "Store 1")
	e.fail(ids.proc, CodeRecalled, "ReleaseQuarantine", "C1", "x")
	e.fail(ids.proc, CodeRecalled, "RecordCheckpoint", "C1", "1", "1", "", "")
	e.fail(ids.farm, CodeRecalled, "RecordInput", "LOT-1", "OTHER", "x", "", "2025-01-01")
}

func TestRecallSubtreeByCustodian(t *testing.T) {
	e := newEnv(t)
	family(e)
	// the retailer holds C3 and may recall it although it is neither grower nor processor
	require.Equal(t, []string{"C3"}, decode[[]string](t, e.ok(ids.retail, "RecallLot", "C3", "damaged")))
	// the processor recalls C1 and its child
	require.Equal(t, []string{"C1", "G1"}, decode[[]string](t, e.ok(ids.proc, "RecallLot", "C1", "foreign body")))
	// a later recall of the parent skips lots already recalled
	require.Equal(t, []string{"LOT-1", "C2"}, decode[[]string](t, e.ok(ids.proc, "RecallLot", "LOT-1", "wider recall")))
	require.Equal(t, "damaged", e.getLot("C3").Recall.Reason)
	require.Equal(t, "wider recall", e.getLot("C2").Recall.Reason)
}
