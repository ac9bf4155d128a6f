package contract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMarkSold(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "10")
	e.toProcessor("LOT-1")
	e.ok(ids.proc, "SplitLot", "LOT-1", `[{"lotId":"C1","quantity":4},{"lotId":"C2","quantity":6}]`)
	e.fail(ids.retail, CodeNotCustodian, "MarkSold", "C1", "Store 1")
	e.fail(ids.proc, CodeForbidden, "MarkSold", "C1", "Store 1")
	e.toRetailer("C1")
	e.fail(ids.retail, CodeInvalidArgument, "MarkSold", "C1", "")
	e.fail(ids.retail, CodeInvalidArgument, "MarkSold", "C1", strings.Repeat("s", 129))
	e.fail(ids.retail, CodeNotFound, "MarkSold", "C9", "Store 1")

	lot := decode[Lot](t, e.ok(ids.retail, "MarkSold", "C1", "Store 1"))
	require.Equal(t, StatusSold, lot.Status)
	require.Equal(t, &Sale{Store: "Store 1", SoldBy: "RetailerMSP", TxID: e.stub.txID, Timestamp: formatTime(e.stub.ts)}, lot.Sold)
	name, payload := e.lastEvent()
	require.Equal(t, EventLotSold, name)
	require.Equal(t, "Store 1", payload["store"])
	e.fail(ids.retail, CodeInvalidState, "MarkSold", "C1", "Store 1")
	e.fail(ids.retail, CodeInvalidState, "ProposeTransfer", "C1", "ProcessorMSP", "", "", "")
	require.Len(t, decode[[]Lot](t, e.ok(ids.farm, "ListLotsByStatus", StatusSold)), 1)
}

func TestCheckAuthenticity(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "10")
	e.ok(ids.farm, "RecordInput", "LOT-1", "IRRIGATION", "Drip", "25 mm", "2025-05-01")
	e.ok(ids.farm, "AnchorCertificate", "LOT-1", "ORG-1", "organic", "EcoCert", hashA, "2025-01-01", "2025-12-31")
	e.ok(ids.farm, "ProposeTransfer", "LOT-1", "ProcessorMSP", "Cold Express", "", "")
	e.ok(ids.carrier, "RecordCheckpoint", "LOT-1", "50", "8", "Depot", "")
	e.ok(ids.carrier, "RecordTemperature", "LOT-1", "4", "truck")
	e.ok(ids.carrier, "RecordTemperature", "LOT-1", "9", "truck")
	e.ok(ids.proc, "AcceptTransfer", "LOT-1")
	e.ok(ids.proc, "ReleaseQuarantine", "LOT-1", "ok")
	e.ok(ids.proc, "ProcessLot", "LOT-1", "WASHING", "")
	e.ok(ids.proc, "SplitLot", "LOT-1", `[{"lotId":"C1","quantity":4}]`)
	e.ok(ids.proc, "ProcessLot", "LOT-1", "GRADING", "after the split: not in C1's journey")
	e.ok(ids.proc, "ProposeTransfer", "C1", "RetailerMSP", "", "", "")
	e.ok(ids.retail, "RejectTransfer", "C1", "late")
	e.ok(ids.proc, "ProposeTransfer", "C1", "RetailerMSP", "", "", "")
	e.ok(ids.proc, "CancelTransfer", "C1")
	e.toRetailer("C1")
	e.okT(ids.retail, map[string][]byte{"price": []byte(validPrice)}, "SetPrice", "C1")
	e.ok(ids.retail, "MarkSold", "C1", "Store 1")

	e.fail(ids.retail, CodeInvalidArgument, "CheckAuthenticity", "C1", "")
	e.fail(ids.retail, CodeInvalidArgument, "CheckAuthenticity", "C1", strings.Repeat("x", 129))
	e.fail(ids.retail, CodeNotFound, "CheckAuthenticity", "C9", "Store 1")

	res := decode[AuthenticityResult](t, e.ok(ids.retail, "CheckAuthenticity", "C1", " Store 1 "))
	require.Equal(t, 1, res.Checks)
	require.Equal(t, []string{"Store 1"}, res.Locations)
	require.False(t, res.LikelyClone)
	require.False(t, res.Recalled)
	require.Equal(t, "C1", res.Lot.LotID)
	require.Equal(t, "Tomatoes", res.Product.Name)
	var summaries []string
	for _, s := range res.Journey {
		summaries = append(summaries, s.LotID+" "+s.Event+": "+s.Summary)
	}
	require.Equal(t, []string{
		"LOT-1 LotHarvested: Harvested 10 kg at Green Valley Farm on 2025-05-30",
		"LOT-1 InputRecorded: Irrigation applied: Drip 25 mm",
		"LOT-1 CertificateAnchored: Certificate ORG-1 (organic) issued by EcoCert",
		"LOT-1 TransferProposed: Shipped from FarmMSP to ProcessorMSP",
		"LOT-1 CheckpointRecorded: Checkpoint Depot (50, 8)",
		"LOT-1 TemperatureAlert: Temperature alert: 9°C at truck (allowed 2..8°C)",
		"LOT-1 TransferAccepted: Received by ProcessorMSP",
		"LOT-1 QuarantineReleased: Released from quarantine: ok",
		"LOT-1 LotProcessed: Processed: Washing",
		"LOT-1 LotSplit: Split into 1 lots",
		"C1 LotSplit: Packed as 4 kg from lot LOT-1",
		"C1 TransferProposed: Shipped from ProcessorMSP to RetailerMSP",
		"C1 TransferRejected: Rejected by RetailerMSP: late",
		"C1 TransferProposed: Shipped from ProcessorMSP to RetailerMSP",
		"C1 TransferCancelled: Shipment to RetailerMSP cancelled",
		"C1 TransferProposed: Shipped from ProcessorMSP to RetailerMSP",
		"C1 TransferAccepted: Received by RetailerMSP",
		"C1 LotSold: Sold at Store 1",
	}, summaries)
	name, payload := e.lastEvent()
	require.Equal(t, EventAuthenticityChecked, name)
	require.Equal(t, false, payload["likelyClone"])
	require.Equal(t, 1.0, payload["checks"])

	// any member org may check, e.g. the carrier; same location again is not a clone
	res = decode[AuthenticityResult](t, e.ok(ids.carrier, "CheckAuthenticity", "C1", "Store 1"))
	require.Equal(t, 2, res.Checks)
	require.False(t, res.LikelyClone)
	res = decode[AuthenticityResult](t, e.ok(ids.retail, "CheckAuthenticity", "C1", "Another Store"))
	require.Equal(t, 3, res.Checks)
	require.Equal(t, []string{"Another Store", "Store 1"}, res.Locations)
	require.True(t, res.LikelyClone)
	_, payload = e.lastEvent()
	require.Equal(t, true, payload["likelyClone"])

	// scans do not rewrite the lot but appear in its event list
	events := decode[[]Event](t, e.ok(ids.farm, "GetLotEvents", "C1"))
	require.Equal(t, EventAuthenticityChecked, events[len(events)-1].Name)
	for i, ev := range events {
		require.Equal(t, i+1, ev.Seq)
	}

	e.ok(ids.farm, "RecallLot", "LOT-1", "contamination")
	res = decode[AuthenticityResult](t, e.ok(ids.retail, "CheckAuthenticity", "C1", "Store 1"))
	require.True(t, res.Recalled)
	require.Equal(t, "C1 LotRecalled: Recalled: contamination", res.Journey[len(res.Journey)-1].LotID+" "+res.Journey[len(res.Journey)-1].Event+": "+res.Journey[len(res.Journey)-1].Summary)
}

func TestSummarizeFallback(t *testing.T) {
	require.Equal(t, "Custom", summarize(&Event{Name: "Custom"}))
	require.Equal(t, "", titleCase(""))
}
