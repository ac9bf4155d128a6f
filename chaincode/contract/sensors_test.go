package contract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckpoints(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	lot := decode[Lot](t, e.ok(ids.farm, "RecordCheckpoint", "LOT-1", "0", "0", "", ""))
	require.Equal(t, Checkpoint{RecordedBy: "FarmMSP", TxID: e.stub.txID, Timestamp: formatTime(e.stub.ts)}, lot.Checkpoints[0])
	_, payload := e.lastEvent()
	require.Equal(t, 0.0, payload["latitude"]) // zero coordinates are kept in the payload
	require.Equal(t, 0.0, payload["longitude"])

	e.fail(ids.carrier, CodeNotCustodian, "RecordCheckpoint", "LOT-1", "1", "1", "", "")
	e.fail(ids.farm, CodeInvalidArgument, "RecordCheckpoint", "LOT-1", "90.5", "1", "", "")
	e.fail(ids.farm, CodeInvalidArgument, "RecordCheckpoint", "LOT-1", "-91", "1", "", "")
	e.fail(ids.farm, CodeInvalidArgument, "RecordCheckpoint", "LOT-1", "1", "180.1", "", "")
	e.fail(ids.farm, CodeInvalidArgument, "RecordCheckpoint", "LOT-1", "1", "-181", "", "")
	e.fail(ids.farm, CodeInvalidArgument, "RecordCheckpoint", "LOT-1", "1", "Inf", "", "")
	e.fail(ids.farm, CodeInvalidArgument, "RecordCheckpoint", "LOT-1", "1", "1", strings.Repeat("l", 257), "")
	e.fail(ids.farm, CodeInvalidArgument, "RecordCheckpoint", "LOT-1", "1", "1", "", strings.Repeat("n", 1025))
	e.fail(ids.farm, CodeNotFound, "RecordCheckpoint", "LOT-9", "1", "1", "", "")

	e.ok(ids.farm, "ProposeTransfer", "LOT-1", "ProcessorMSP", "Cold Express", "TRK-1", "")
	lot = decode[Lot](t, e.ok(ids.carrier, "RecordCheckpoint", "LOT-1", "51.5", "-0.12", "London depot", "on time"))
	require.Len(t, lot.Checkpoints, 1, "the submit returns the entry it recorded")
	require.Equal(t, "CarrierMSP", lot.Checkpoints[0].RecordedBy)
	name, payload := e.lastEvent()
	require.Equal(t, EventCheckpointRecorded, name)
	require.Equal(t, "London depot", payload["location"])
	full := e.getLot("LOT-1")
	require.Len(t, full.Checkpoints, 2)
	require.Equal(t, "London depot", full.Summary.LastCheckpoint.Location)
	// the receiver is not custodian yet and holds no carrier role
	e.fail(ids.proc, CodeNotCustodian, "RecordCheckpoint", "LOT-1", "1", "1", "", "")
	e.ok(ids.farm, "RecordCheckpoint", "LOT-1", "51.6", "-0.1", "", "")
}

func TestTemperatureQuarantine(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")

	lot := decode[Lot](t, e.ok(ids.farm, "RecordTemperature", "LOT-1", "4", "cold room"))
	require.Equal(t, StatusHarvested, lot.Status)
	require.True(t, lot.Temperatures[0].InRange)
	name, payload := e.lastEvent()
	require.Equal(t, EventTemperatureRecorded, name)
	require.Equal(t, true, payload["inRange"])
	require.Equal(t, 2.0, payload["minTempC"])
	e.ok(ids.farm, "RecordTemperature", "LOT-1", "2", "")
	e.ok(ids.farm, "RecordTemperature", "LOT-1", "8", "")

	e.fail(ids.farm, CodeInvalidArgument, "RecordTemperature", "LOT-1", "100.1", "")
	e.fail(ids.farm, CodeInvalidArgument, "RecordTemperature", "LOT-1", "-100.5", "")
	e.fail(ids.farm, CodeInvalidArgument, "RecordTemperature", "LOT-1", "NaN", "")
	e.fail(ids.farm, CodeInvalidArgument, "RecordTemperature", "LOT-1", "4", strings.Repeat("l", 257))
	e.fail(ids.proc, CodeNotCustodian, "RecordTemperature", "LOT-1", "4", "")
	e.fail(ids.farm, CodeInvalidState, "ReleaseQuarantine", "LOT-1", "fine")

	// out of range during transit, recorded by the carrier
	e.ok(ids.farm, "ProposeTransfer", "LOT-1", "ProcessorMSP", "", "", "")
	lot = decode[Lot](t, e.ok(ids.carrier, "RecordTemperature", "LOT-1", "0", "truck"))
	require.Equal(t, StatusQuarantined, lot.Status)
	require.Equal(t, StatusInTransit, lot.PreviousStatus)
	require.False(t, lot.Temperatures[0].InRange)
	require.True(t, lot.TemperatureBreach)
	name, payload = e.lastEvent()
	require.Equal(t, EventTemperatureAlert, name)
	require.Equal(t, 0.0, payload["celsius"])
	require.Equal(t, false, payload["inRange"])
	require.Equal(t, StatusQuarantined, payload["status"])
	full := e.getLot("LOT-1")
	require.Len(t, full.Temperatures, 4)
	require.False(t, full.Temperatures[3].InRange)
	require.Equal(t, EntrySummary{Temperatures: 4, OutOfRange: 1, MinCelsius: 0, MaxCelsius: 8,
		LastTemperature: &full.Temperatures[3], Breach: true}, *full.Summary)

	// a second alert keeps the status to restore
	lot = decode[Lot](t, e.ok(ids.carrier, "RecordTemperature", "LOT-1", "12", "truck"))
	require.Equal(t, StatusQuarantined, lot.Status)
	require.Equal(t, StatusInTransit, lot.PreviousStatus)
	require.Len(t, decode[[]Lot](t, e.ok(ids.farm, "ListLotsByStatus", StatusQuarantined)), 1)

	// the receiver accepts a quarantined lot: custody moves, quarantine stays
	e.fail(ids.proc, CodeNotCustodian, "ReleaseQuarantine", "LOT-1", "checked")
	lot = decode[Lot](t, e.ok(ids.proc, "AcceptTransfer", "LOT-1"))
	require.Equal(t, StatusQuarantined, lot.Status)
	require.Equal(t, StatusReceived, lot.PreviousStatus)
	require.Equal(t, "ProcessorMSP", lot.Custodian)
	e.fail(ids.proc, CodeInvalidState, "ProcessLot", "LOT-1", "WASHING", "")
	e.fail(ids.proc, CodeInvalidState, "ProposeTransfer", "LOT-1", "RetailerMSP", "", "", "")
	e.fail(ids.proc, CodeInvalidArgument, "ReleaseQuarantine", "LOT-1", "")
	e.fail(ids.proc, CodeNotFound, "ReleaseQuarantine", "LOT-9", "x")

	lot = decode[Lot](t, e.ok(ids.proc, "ReleaseQuarantine", "LOT-1", "core temperature checked"))
	require.Equal(t, StatusReceived, lot.Status)
	require.Equal(t, StatusQuarantined, lot.PreviousStatus)
	name, payload = e.lastEvent()
	require.Equal(t, EventQuarantineReleased, name)
	require.Equal(t, StatusReceived, payload["status"])
	e.ok(ids.proc, "ProcessLot", "LOT-1", "WASHING", "")
}

func TestQuarantineThenRejectOrRelease(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	e.ok(ids.farm, "ProposeTransfer", "LOT-1", "ProcessorMSP", "", "", "")
	e.ok(ids.carrier, "RecordTemperature", "LOT-1", "20", "truck")
	lot := decode[Lot](t, e.ok(ids.proc, "RejectTransfer", "LOT-1", "too warm"))
	require.Equal(t, StatusQuarantined, lot.Status)
	require.Equal(t, StatusHarvested, lot.PreviousStatus)
	require.Equal(t, "FarmMSP", lot.Custodian)
	lot = decode[Lot](t, e.ok(ids.farm, "ReleaseQuarantine", "LOT-1", "re-cooled"))
	require.Equal(t, StatusHarvested, lot.Status)

	// released while still in transit: back to IN_TRANSIT
	e.ok(ids.farm, "ProposeTransfer", "LOT-1", "ProcessorMSP", "", "", "")
	e.ok(ids.farm, "RecordTemperature", "LOT-1", "-5", "")
	lot = decode[Lot](t, e.ok(ids.farm, "ReleaseQuarantine", "LOT-1", "sensor glitch"))
	require.Equal(t, StatusInTransit, lot.Status)
	require.NotNil(t, lot.PendingTransfer)
	e.ok(ids.proc, "AcceptTransfer", "LOT-1")
}

func TestReadingsOnClosedLots(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "10")
	e.toProcessor("LOT-1")
	e.ok(ids.proc, "SplitLot", "LOT-1", `[{"lotId":"C1","quantity":10}]`)
	e.fail(ids.proc, CodeInvalidState, "RecordTemperature", "LOT-1", "4", "")
	e.toRetailer("C1")
	e.ok(ids.retail, "MarkSold", "C1", "Store 1")
	e.fail(ids.retail, CodeInvalidState, "RecordCheckpoint", "C1", "1", "1", "", "")
	e.ok(ids.retail, "RecallLot", "C1", "listeria")
	e.fail(ids.retail, CodeRecalled, "RecordTemperature", "C1", "4", "")
}
