package contract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTransferAccept(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")

	e.fail(ids.farm, CodeInvalidArgument, "ProposeTransfer", "LOT-1", "FarmMSP", "", "", "")
	e.fail(ids.farm, CodeInvalidArgument, "ProposeTransfer", "LOT-1", "UnknownMSP", "", "", "")
	e.fail(ids.farm, CodeInvalidArgument, "ProposeTransfer", "LOT-1", "Processor MSP", "", "", "")
	e.fail(ids.farm, CodeInvalidArgument, "ProposeTransfer", "LOT-1", "ProcessorMSP", strings.Repeat("c", 129), "", "")
	e.fail(ids.farm, CodeInvalidArgument, "ProposeTransfer", "LOT-1", "ProcessorMSP", "", strings.Repeat("v", 129), "")
	e.fail(ids.farm, CodeInvalidArgument, "ProposeTransfer", "LOT-1", "ProcessorMSP", "", "", strings.Repeat("r", 257))
	e.fail(ids.farm, CodeNotFound, "ProposeTransfer", "LOT-9", "ProcessorMSP", "", "", "")
	e.fail(ids.proc, CodeNotCustodian, "ProposeTransfer", "LOT-1", "RetailerMSP", "", "", "")
	e.fail(ids.farm, CodeInvalidState, "AcceptTransfer", "LOT-1")

	lot := decode[Lot](t, e.ok(ids.farm, "ProposeTransfer", "LOT-1", "ProcessorMSP", "Cold Express", "TRK-1", "A->B"))
	require.Equal(t, StatusInTransit, lot.Status)
	require.Equal(t, StatusHarvested, lot.PreviousStatus)
	require.Equal(t, "FarmMSP", lot.Custodian)
	require.Equal(t, &Transfer{FromMsp: "FarmMSP", ToMsp: "ProcessorMSP", Carrier: "Cold Express", Vehicle: "TRK-1", Route: "A->B",
		Status: TransferPending, PreviousStatus: StatusHarvested, ProposedTxID: e.stub.txID, ProposedAt: formatTime(e.stub.ts)}, lot.PendingTransfer)
	name, payload := e.lastEvent()
	require.Equal(t, EventTransferProposed, name)
	require.Equal(t, "ProcessorMSP", payload["toMsp"])

	e.fail(ids.farm, CodeInvalidState, "ProposeTransfer", "LOT-1", "RetailerMSP", "", "", "")
	e.fail(ids.retail, CodeForbidden, "AcceptTransfer", "LOT-1")
	e.fail(ids.farm, CodeForbidden, "AcceptTransfer", "LOT-1")
	e.fail(ids.farm, CodeForbidden, "RejectTransfer", "LOT-1", "no")
	e.fail(ids.proc, CodeForbidden, "CancelTransfer", "LOT-1")
	e.fail(ids.proc, CodeNotFound, "AcceptTransfer", "LOT-9")
	e.fail(ids.proc, CodeInvalidArgument, "AcceptTransfer", "")
	require.Len(t, decode[[]Lot](t, e.ok(ids.farm, "ListLotsByStatus", StatusInTransit)), 1)

	lot = decode[Lot](t, e.ok(ids.proc, "AcceptTransfer", "LOT-1"))
	require.Equal(t, "ProcessorMSP", lot.Custodian)
	require.Equal(t, StatusReceived, lot.Status)
	require.Equal(t, StatusInTransit, lot.PreviousStatus)
	require.Nil(t, lot.PendingTransfer)
	require.Len(t, lot.Shipments, 1)
	require.Equal(t, TransferAccepted, lot.Shipments[0].Status)
	require.Equal(t, "ProcessorMSP", lot.Shipments[0].ResolvedBy)
	name, payload = e.lastEvent()
	require.Equal(t, EventTransferAccepted, name)
	require.Equal(t, "ProcessorMSP", payload["custodian"])

	require.Empty(t, decode[[]Lot](t, e.ok(ids.farm, "ListLotsByCustodian", "FarmMSP")))
	require.Len(t, decode[[]Lot](t, e.ok(ids.farm, "ListLotsByCustodian", "ProcessorMSP")), 1)
	require.Empty(t, decode[[]Lot](t, e.ok(ids.farm, "ListLotsByStatus", StatusInTransit)))
	e.fail(ids.farm, CodeNotCustodian, "ProposeTransfer", "LOT-1", "RetailerMSP", "", "", "")
}

func TestTransferRejectAndCancel(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	e.toProcessor("LOT-1")
	e.ok(ids.proc, "ProcessLot", "LOT-1", "WASHING", "")

	e.ok(ids.proc, "ProposeTransfer", "LOT-1", "RetailerMSP", "", "", "")
	e.fail(ids.retail, CodeInvalidArgument, "RejectTransfer", "LOT-1", "")
	e.fail(ids.retail, CodeInvalidArgument, "RejectTransfer", "LOT-1", strings.Repeat("r", 1025))
	lot := decode[Lot](t, e.ok(ids.retail, "RejectTransfer", "LOT-1", "damaged crates"))
	require.Equal(t, StatusProcessed, lot.Status)
	require.Equal(t, "ProcessorMSP", lot.Custodian)
	require.Nil(t, lot.PendingTransfer)
	require.Equal(t, TransferRejected, lot.Shipments[1].Status)
	require.Equal(t, "damaged crates", lot.Shipments[1].Reason)
	name, payload := e.lastEvent()
	require.Equal(t, EventTransferRejected, name)
	require.Equal(t, "damaged crates", payload["reason"])
	e.fail(ids.retail, CodeInvalidState, "RejectTransfer", "LOT-1", "again")

	e.ok(ids.proc, "ProposeTransfer", "LOT-1", "RetailerMSP", "", "", "")
	lot = decode[Lot](t, e.ok(ids.proc, "CancelTransfer", "LOT-1"))
	require.Equal(t, StatusProcessed, lot.Status)
	require.Equal(t, TransferCancelled, lot.Shipments[2].Status)
	name, _ = e.lastEvent()
	require.Equal(t, EventTransferCancelled, name)
	e.fail(ids.proc, CodeInvalidState, "CancelTransfer", "LOT-1")
	require.Len(t, decode[[]Lot](t, e.ok(ids.farm, "ListLotsByStatus", StatusProcessed)), 1)
}
