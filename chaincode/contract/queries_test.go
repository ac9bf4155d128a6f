package contract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGetLotAndEvents(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.fail(ids.farm, CodeNotFound, "GetLot", "LOT-1")
	e.fail(ids.farm, CodeInvalidArgument, "GetLot", "LOT 1")
	e.fail(ids.farm, CodeNotFound, "GetLotEvents", "LOT-1")
	e.fail(ids.farm, CodeInvalidArgument, "GetLotEvents", "")
	e.harvest("LOT-1", "10")
	e.ok(ids.farm, "RecordTemperature", "LOT-1", "5", "")
	e.toProcessor("LOT-1")
	events := decode[[]Event](t, e.ok(ids.retail, "GetLotEvents", "LOT-1"))
	var names []string
	for i, ev := range events {
		names = append(names, ev.Name)
		require.Equal(t, i+1, ev.Seq)
		require.Equal(t, "LOT-1", ev.LotID)
		require.NotEmpty(t, ev.TxID)
		require.NotEmpty(t, ev.Timestamp)
	}
	require.Equal(t, []string{EventLotHarvested, EventTemperatureRecorded, EventTransferProposed, EventTransferAccepted}, names)
	require.Equal(t, "ProcessorMSP", events[3].Actor)
	require.Equal(t, 5.0, events[1].Celsius)
}

func TestGetLotHistory(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.fail(ids.farm, CodeNotFound, "GetLotHistory", "LOT-1")
	e.fail(ids.farm, CodeInvalidArgument, "GetLotHistory", "LOT/1")
	e.harvest("LOT-1", "10")
	created := e.stub.txID
	e.toProcessor("LOT-1")
	hist := decode[[]HistoryEntry](t, e.ok(ids.farm, "GetLotHistory", "LOT-1"))
	require.Len(t, hist, 3)
	require.Equal(t, created, hist[0].TxID)
	require.Equal(t, StatusHarvested, hist[0].Value.Status)
	require.Equal(t, StatusInTransit, hist[1].Value.Status)
	require.Equal(t, StatusReceived, hist[2].Value.Status)
	require.False(t, hist[2].IsDelete)
	require.Equal(t, hist[2].Value.UpdatedAt, hist[2].Timestamp)

	// a delete in the history (not produced by the contract, but possible in Fabric)
	e.stub.begin(nil, nil)
	require.NoError(t, e.stub.DelState(lotKey("LOT-1")))
	e.stub.commit()
	e.stub.state[lotKey("LOT-1")] = e.stub.history[lotKey("LOT-1")][2].Value
	hist = decode[[]HistoryEntry](t, e.ok(ids.farm, "GetLotHistory", "LOT-1"))
	require.Len(t, hist, 4)
	require.True(t, hist[3].IsDelete)
	require.Nil(t, hist[3].Value)
}

func TestTraceLot(t *testing.T) {
	e := newEnv(t)
	family(e)
	e.fail(ids.farm, CodeNotFound, "TraceLot", "LOT-9")
	e.fail(ids.farm, CodeInvalidArgument, "TraceLot", "")

	tr := decode[TraceResult](t, e.ok(ids.retail, "TraceLot", "LOT-1"))
	require.Equal(t, "LOT-1", tr.Lot.LotID)
	require.Empty(t, tr.Ancestors)
	var desc []string
	for _, d := range tr.Descendants {
		desc = append(desc, fmt.Sprintf("%s@%d:%s:%s", d.LotID, d.Depth, d.Custodian, d.Status))
	}
	require.Equal(t, []string{
		"C1@1:ProcessorMSP:PACKAGED", "C2@1:ProcessorMSP:IN_TRANSIT", "C3@1:RetailerMSP:SOLD", "G1@2:ProcessorMSP:PACKAGED",
	}, desc)
	require.Equal(t, []string{"ProcessorMSP", "RetailerMSP"}, tr.Holders)

	tr = decode[TraceResult](t, e.ok(ids.retail, "TraceLot", "G1"))
	require.Len(t, tr.Ancestors, 2)
	require.Equal(t, "C1", tr.Ancestors[0].LotID)
	require.Equal(t, -1, tr.Ancestors[0].Depth)
	require.Equal(t, "LOT-1", tr.Ancestors[1].LotID)
	require.Equal(t, -2, tr.Ancestors[1].Depth)
	require.Empty(t, tr.Descendants)
	require.Equal(t, []string{"ProcessorMSP"}, tr.Holders)
}

func TestTraceFiftyDescendantsIsCheap(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "1000")
	e.toProcessor("LOT-1")
	var kids []string
	for i := 0; i < 10; i++ {
		kids = append(kids, fmt.Sprintf(`{"lotId":"C%d","quantity":50}`, i))
	}
	e.ok(ids.proc, "SplitLot", "LOT-1", "["+strings.Join(kids, ",")+"]")
	for i := 0; i < 10; i++ {
		var g []string
		for j := 0; j < 4; j++ {
			g = append(g, fmt.Sprintf(`{"lotId":"G%d-%d","quantity":10}`, i, j))
		}
		e.ok(ids.proc, "SplitLot", fmt.Sprintf("C%d", i), "["+strings.Join(g, ",")+"]")
	}
	// unrelated lots must not be read
	for i := 0; i < 20; i++ {
		e.harvest(fmt.Sprintf("OTHER-%d", i), "1")
	}
	tr := decode[TraceResult](t, e.ok(ids.farm, "TraceLot", "LOT-1"))
	require.Len(t, tr.Descendants, 50)
	require.Equal(t, 51, e.stub.calls["GetState"], "one read per lot in the family")
	require.Zero(t, e.stub.calls["GetStateByPartialCompositeKey"], "no range scans")
}

func TestListLots(t *testing.T) {
	e := newEnv(t)
	e.setup()
	require.Equal(t, "[]", string(e.ok(ids.farm, "ListLots")))
	require.Equal(t, "[]", string(e.ok(ids.farm, "ListLotsByCustodian", "FarmMSP")))
	require.Equal(t, "[]", string(e.ok(ids.farm, "ListLotsByStatus", StatusHarvested)))
	for _, id := range []string{"b", "A-2", "A", "a.1", "A_1"} {
		e.harvest(id, "1")
	}
	e.toProcessor("b")
	var got []string
	for _, l := range decode[[]Lot](t, e.ok(ids.retail, "ListLots")) {
		got = append(got, l.LotID)
	}
	require.Equal(t, []string{"A", "A-2", "A_1", "a.1", "b"}, got)
	got = nil
	for _, l := range decode[[]Lot](t, e.ok(ids.retail, "ListLotsByCustodian", "FarmMSP")) {
		got = append(got, l.LotID)
	}
	require.Equal(t, []string{"A", "A-2", "A_1", "a.1"}, got)
	require.Len(t, decode[[]Lot](t, e.ok(ids.retail, "ListLotsByStatus", StatusReceived)), 1)
	e.fail(ids.retail, CodeInvalidArgument, "ListLotsByStatus", "received")
	e.fail(ids.retail, CodeInvalidArgument, "ListLotsByCustodian", "Farm MSP")
}
