package contract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHarvestLot(t *testing.T) {
	e := newEnv(t)
	e.setup()
	lot := decode[Lot](t, e.ok(ids.farm, "HarvestLot", "LOT-1", "tomato", "Roma", "500.1234567", "kg", "Green Valley Farm", "Valley Rd 1", "P-7", "2025-05-30"))
	require.Equal(t, "LOT-1", lot.LotID)
	require.Equal(t, 500.123457, lot.Quantity)
	require.Equal(t, lot.Quantity, lot.RemainingQuantity)
	require.Equal(t, "FarmMSP", lot.Custodian)
	require.Equal(t, "FarmMSP", lot.OriginMsp)
	require.Equal(t, StatusHarvested, lot.Status)
	require.Equal(t, "", lot.PreviousStatus)
	require.Equal(t, Farm{Name: "Green Valley Farm", Location: "Valley Rd 1", Plot: "P-7"}, lot.Farm)
	require.Equal(t, e.stub.txID, lot.CreatedTxID)
	require.Equal(t, formatTime(e.stub.ts), lot.CreatedAt)
	require.Nil(t, lot.PendingTransfer)
	require.NotNil(t, lot.ChildIDs)
	name, payload := e.lastEvent()
	require.Equal(t, EventLotHarvested, name)
	require.Equal(t, "LOT-1", payload["lotId"])
	require.Equal(t, 500.123457, payload["quantity"])

	// optional fields may be empty
	e.ok(ids.farm, "HarvestLot", "LOT-2", "tomato", "", "1", "crate", "Farm B", "", "", "2025-02-28")

	bad := func(code Code, mutate func(a []string)) {
		t.Helper()
		args := []string{"LOT-X", "tomato", "Roma", "10", "kg", "Farm", "Loc", "P", "2025-05-30"}
		mutate(args)
		e.fail(ids.farm, code, "HarvestLot", args...)
	}
	bad(CodeAlreadyExists, func(a []string) { a[0] = "LOT-1" })
	bad(CodeNotFound, func(a []string) { a[1] = "banana" })
	bad(CodeInvalidArgument, func(a []string) { a[0] = "lot 1" })
	bad(CodeInvalidArgument, func(a []string) { a[0] = strings.Repeat("L", 65) })
	bad(CodeInvalidArgument, func(a []string) { a[0] = "" })
	bad(CodeInvalidArgument, func(a []string) { a[1] = "to/mato" })
	bad(CodeInvalidArgument, func(a []string) { a[2] = strings.Repeat("v", 129) })
	bad(CodeInvalidArgument, func(a []string) { a[3] = "0" })
	bad(CodeInvalidArgument, func(a []string) { a[3] = "-5" })
	bad(CodeInvalidArgument, func(a []string) { a[3] = "1000000001" })
	bad(CodeInvalidArgument, func(a []string) { a[3] = "NaN" })
	bad(CodeInvalidArgument, func(a []string) { a[3] = "+Inf" })
	bad(CodeInvalidArgument, func(a []string) { a[3] = "1e400" })
	bad(CodeInvalidArgument, func(a []string) { a[3] = "ten" })
	bad(CodeInvalidArgument, func(a []string) { a[4] = "" })
	bad(CodeInvalidArgument, func(a []string) { a[5] = "" })
	bad(CodeInvalidArgument, func(a []string) { a[5] = "Farm\x00" })
	bad(CodeInvalidArgument, func(a []string) { a[5] = "Farm\xff" })
	bad(CodeInvalidArgument, func(a []string) { a[6] = strings.Repeat("l", 257) })
	bad(CodeInvalidArgument, func(a []string) { a[7] = strings.Repeat("p", 129) })
	bad(CodeInvalidArgument, func(a []string) { a[8] = "2025-13-01" })
	bad(CodeInvalidArgument, func(a []string) { a[8] = "2025-02-30" })
	bad(CodeInvalidArgument, func(a []string) { a[8] = "30/05/2025" })
	bad(CodeInvalidArgument, func(a []string) { a[8] = "2025-5-3" })

	e.fail(ids.proc, CodeForbidden, "HarvestLot", "LOT-X", "tomato", "Roma", "10", "kg", "Farm", "Loc", "P", "2025-05-30")
	e.fail(ids.carrier, CodeForbidden, "HarvestLot", "LOT-X", "tomato", "Roma", "10", "kg", "Farm", "Loc", "P", "2025-05-30")
	// wrong number of arguments
	e.fail(ids.farm, CodeInvalidArgument, "HarvestLot", "LOT-X", "tomato")
}

func TestRecordInput(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	for _, typ := range InputTypes {
		e.ok(ids.farm, "RecordInput", "LOT-1", typ, "Product "+typ, "", "2025-04-01")
	}
	lot := decode[Lot](t, e.ok(ids.farm, "RecordInput", "LOT-1", "PESTICIDE", "Neem oil", "2 L/ha", "2025-04-02"))
	want := Input{InputType: "PESTICIDE", Product: "Neem oil", Dose: "2 L/ha", AppliedDate: "2025-04-02",
		RecordedBy: "FarmMSP", TxID: e.stub.txID, Timestamp: formatTime(e.stub.ts)}
	require.Equal(t, []Input{want}, lot.Inputs, "the submit returns the entry it recorded")
	require.Equal(t, formatTime(e.stub.ts), lot.UpdatedAt)
	name, payload := e.lastEvent()
	require.Equal(t, EventInputRecorded, name)
	require.Equal(t, "Neem oil", payload["inputProduct"])
	full := e.getLot("LOT-1")
	require.Len(t, full.Inputs, len(InputTypes)+1)
	require.Equal(t, want, full.Inputs[len(full.Inputs)-1])
	require.Equal(t, len(InputTypes)+1, full.Summary.Inputs)

	e.fail(ids.farm, CodeInvalidArgument, "RecordInput", "LOT-1", "fertiliser", "X", "", "2025-04-01")
	e.fail(ids.farm, CodeInvalidArgument, "RecordInput", "LOT-1", "FERTILISER", "", "", "2025-04-01")
	e.fail(ids.farm, CodeInvalidArgument, "RecordInput", "LOT-1", "FERTILISER", "X", strings.Repeat("d", 129), "2025-04-01")
	e.fail(ids.farm, CodeInvalidArgument, "RecordInput", "LOT-1", "FERTILISER", "X", "", "yesterday")
	e.fail(ids.farm, CodeNotFound, "RecordInput", "LOT-9", "FERTILISER", "X", "", "2025-04-01")
	e.fail(ids.proc, CodeForbidden, "RecordInput", "LOT-1", "FERTILISER", "X", "", "2025-04-01")

	// in transit: the farm still holds the lot but cannot change it
	e.ok(ids.farm, "ProposeTransfer", "LOT-1", "ProcessorMSP", "", "", "")
	e.fail(ids.farm, CodeInvalidState, "RecordInput", "LOT-1", "FERTILISER", "X", "", "2025-04-01")
	e.ok(ids.proc, "AcceptTransfer", "LOT-1")
	// another grower (the processor granted the grower role) is not the custodian of a farm lot
	e.ok(ids.farm, "HarvestLot", "LOT-2", "tomato", "", "1", "kg", "F", "", "", "2025-01-01")
	e.ok(ids.farmAdmin, "GrantRole", "ProcessorMSP", "grower")
	e.fail(ids.proc, CodeNotCustodian, "RecordInput", "LOT-2", "FERTILISER", "X", "", "2025-04-01")
	e.fail(ids.farm, CodeNotCustodian, "RecordInput", "LOT-1", "FERTILISER", "X", "", "2025-04-01")
}

func TestCertificates(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	lot := decode[Lot](t, e.ok(ids.farm, "AnchorCertificate", "LOT-1", "ORG-1", "organic", "EcoCert", hashA, "2025-01-01", "2025-12-31"))
	require.Equal(t, Certificate{CertID: "ORG-1", CertType: "organic", Issuer: "EcoCert", SHA256: hashA, ValidFrom: "2025-01-01",
		ValidUntil: "2025-12-31", AnchoredBy: "FarmMSP", TxID: e.stub.txID, Timestamp: formatTime(e.stub.ts)}, lot.Certificates[0])
	name, payload := e.lastEvent()
	require.Equal(t, EventCertificateAnchored, name)
	require.Equal(t, hashA, payload["sha256"])
	e.ok(ids.farm, "AnchorCertificate", "LOT-1", "GAP-1", "GlobalG.A.P.", "GGN", hashB, "2025-03-01", "2025-03-01")

	e.fail(ids.farm, CodeAlreadyExists, "AnchorCertificate", "LOT-1", "ORG-1", "organic", "EcoCert", hashA, "2025-01-01", "2025-12-31")
	e.fail(ids.farm, CodeInvalidArgument, "AnchorCertificate", "LOT-1", "ORG-2", "organic", "EcoCert", strings.ToUpper(hashA), "2025-01-01", "2025-12-31")
	e.fail(ids.farm, CodeInvalidArgument, "AnchorCertificate", "LOT-1", "ORG-2", "organic", "EcoCert", hashA[:63], "2025-01-01", "2025-12-31")
	e.fail(ids.farm, CodeInvalidArgument, "AnchorCertificate", "LOT-1", "ORG-2", "organic", "EcoCert", hashA, "2025-12-31", "2025-01-01")
	e.fail(ids.farm, CodeInvalidArgument, "AnchorCertificate", "LOT-1", "ORG-2", "organic", "EcoCert", hashA, "2025-01-01", "never")
	e.fail(ids.farm, CodeInvalidArgument, "AnchorCertificate", "LOT-1", "ORG-2", "organic", "EcoCert", hashA, "soon", "2025-01-01")
	e.fail(ids.farm, CodeInvalidArgument, "AnchorCertificate", "LOT-1", "ORG-2", "", "EcoCert", hashA, "2025-01-01", "2025-12-31")
	e.fail(ids.farm, CodeInvalidArgument, "AnchorCertificate", "LOT-1", "ORG-2", "organic", "", hashA, "2025-01-01", "2025-12-31")
	e.fail(ids.farm, CodeInvalidArgument, "AnchorCertificate", "LOT-1", "ORG 2", "organic", "EcoCert", hashA, "2025-01-01", "2025-12-31")
	e.fail(ids.farm, CodeNotFound, "AnchorCertificate", "LOT-9", "ORG-2", "organic", "EcoCert", hashA, "2025-01-01", "2025-12-31")
	e.fail(ids.proc, CodeNotCustodian, "AnchorCertificate", "LOT-1", "ORG-2", "organic", "EcoCert", hashA, "2025-01-01", "2025-12-31")

	v := decode[CertificateVerification](t, e.ok(ids.retail, "VerifyCertificate", "LOT-1", "ORG-1", hashA))
	require.True(t, v.Match)
	require.Equal(t, "LOT-1", v.AnchoredOnLotID)
	require.Equal(t, "EcoCert", v.Certificate.Issuer)
	v = decode[CertificateVerification](t, e.ok(ids.retail, "VerifyCertificate", "LOT-1", "ORG-1", hashB))
	require.False(t, v.Match)
	e.fail(ids.retail, CodeNotFound, "VerifyCertificate", "LOT-1", "ORG-9", hashA)
	e.fail(ids.retail, CodeNotFound, "VerifyCertificate", "LOT-9", "ORG-1", hashA)
	e.fail(ids.retail, CodeInvalidArgument, "VerifyCertificate", "LOT-1", "ORG-1", "abc")

	// certificates of ancestors are found from a child lot
	e.toProcessor("LOT-1")
	e.ok(ids.proc, "SplitLot", "LOT-1", `[{"lotId":"PACK-1","quantity":10}]`)
	e.ok(ids.proc, "SplitLot", "PACK-1", `[{"lotId":"BAG-1","quantity":1}]`)
	e.ok(ids.proc, "AnchorCertificate", "PACK-1", "LAB-1", "lab test", "Lab", hashB, "2025-06-01", "2025-06-30")
	v = decode[CertificateVerification](t, e.ok(ids.retail, "VerifyCertificate", "BAG-1", "ORG-1", hashA))
	require.True(t, v.Match)
	require.Equal(t, "LOT-1", v.AnchoredOnLotID)
	v = decode[CertificateVerification](t, e.ok(ids.retail, "VerifyCertificate", "BAG-1", "LAB-1", hashB))
	require.Equal(t, "PACK-1", v.AnchoredOnLotID)
	e.fail(ids.retail, CodeNotFound, "VerifyCertificate", "BAG-1", "ORG-9", hashA)

	// anchoring is allowed whatever the status, even after a recall
	e.ok(ids.proc, "RecallLot", "PACK-1", "lab result")
	e.ok(ids.proc, "AnchorCertificate", "PACK-1", "LAB-2", "lab test", "Lab", hashA, "2025-06-01", "2025-06-30")
}

func TestProcessLot(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	e.fail(ids.proc, CodeNotCustodian, "ProcessLot", "LOT-1", "WASHING", "")
	e.toProcessor("LOT-1")
	for _, step := range ProcessingSteps {
		lot := decode[Lot](t, e.ok(ids.proc, "ProcessLot", "LOT-1", step, "note "+step))
		require.Equal(t, StatusProcessed, lot.Status)
	}
	lot := e.getLot("LOT-1")
	require.Len(t, lot.Processing, len(ProcessingSteps))
	require.Equal(t, StatusReceived, lot.PreviousStatus)
	require.Equal(t, ProcessingStep{Step: "OTHER", Notes: "note OTHER", Processor: "ProcessorMSP", TxID: lot.Processing[4].TxID, Timestamp: lot.Processing[4].Timestamp}, lot.Processing[4])
	name, payload := e.lastEventOf("LotProcessed", func() { e.ok(ids.proc, "ProcessLot", "LOT-1", "GRADING", "") })
	require.Equal(t, EventLotProcessed, name)
	require.Equal(t, "GRADING", payload["step"])

	e.fail(ids.proc, CodeInvalidArgument, "ProcessLot", "LOT-1", "washing", "")
	e.fail(ids.proc, CodeInvalidArgument, "ProcessLot", "LOT-1", "WASHING", strings.Repeat("n", 1025))
	e.fail(ids.proc, CodeNotFound, "ProcessLot", "LOT-9", "WASHING", "")
	e.fail(ids.farm, CodeForbidden, "ProcessLot", "LOT-1", "WASHING", "")
	e.fail(ids.retail, CodeForbidden, "ProcessLot", "LOT-1", "WASHING", "")
	e.ok(ids.proc, "ProposeTransfer", "LOT-1", "RetailerMSP", "", "", "")
	e.fail(ids.proc, CodeInvalidState, "ProcessLot", "LOT-1", "WASHING", "")
}

// lastEventOf runs fn (one successful transaction) and returns its chaincode event.
func (e *env) lastEventOf(_ string, fn func()) (string, map[string]any) {
	fn()
	return e.lastEvent()
}

func TestSplitLot(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "0.3")
	e.toProcessor("LOT-1")
	e.ok(ids.proc, "ProcessLot", "LOT-1", "PACKING", "")

	bad := []string{
		``, `{}`, `[]`, `[{"lotId":"C1"}]`, `[{"lotId":"C1","quantity":0}]`, `[{"lotId":"C1","quantity":-1}]`,
		`[{"lotId":"C 1","quantity":0.1}]`, `[{"lotId":"LOT-1","quantity":0.1}]`,
		`[{"lotId":"C1","quantity":0.1},{"lotId":"C1","quantity":0.1}]`,
		`[{"lotId":"C1","quantity":0.1,"extra":1}]`, `[{"lotId":"C1","quantity":"1"}]`,
		`[{"lotId":"C1","quantity":0.2},{"lotId":"C2","quantity":0.2}]`, // more than remaining
	}
	for _, b := range bad {
		e.fail(ids.proc, CodeInvalidArgument, "SplitLot", "LOT-1", b)
	}
	var many []string
	for i := 0; i <= MaxChildren; i++ {
		many = append(many, fmt.Sprintf(`{"lotId":"C%d","quantity":0.000001}`, i))
	}
	e.fail(ids.proc, CodeInvalidArgument, "SplitLot", "LOT-1", "["+strings.Join(many, ",")+"]")
	e.fail(ids.proc, CodeInvalidArgument, "SplitLot", "LOT-1", strings.Repeat(" ", MaxJSONBytes+1))
	e.fail(ids.proc, CodeInvalidArgument, "SplitLot", "bad id", `[{"lotId":"C1","quantity":0.1}]`)
	e.fail(ids.farm, CodeForbidden, "SplitLot", "LOT-1", `[{"lotId":"C1","quantity":0.1}]`)
	e.fail(ids.proc, CodeNotFound, "SplitLot", "LOT-9", `[{"lotId":"C1","quantity":0.1}]`)

	// partial split
	children := decode[[]Lot](t, e.ok(ids.proc, "SplitLot", "LOT-1", `[{"lotId":"C1","quantity":0.1}]`))
	require.Len(t, children, 1)
	c1 := children[0]
	require.Equal(t, StatusPackaged, c1.Status)
	require.Equal(t, "ProcessorMSP", c1.Custodian)
	require.Equal(t, "LOT-1", c1.ParentID)
	require.Equal(t, "FarmMSP", c1.OriginMsp)
	require.Equal(t, "tomato", c1.ProductID)
	require.Equal(t, "kg", c1.Unit)
	require.Equal(t, "Roma", c1.Variety)
	require.Equal(t, "2025-05-30", c1.HarvestDate)
	require.Equal(t, 0.1, c1.Quantity)
	parent := e.getLot("LOT-1")
	require.Equal(t, 0.2, parent.RemainingQuantity)
	require.Equal(t, StatusProcessed, parent.Status)
	require.Equal(t, []string{"C1"}, parent.ChildIDs)

	e.fail(ids.proc, CodeAlreadyExists, "SplitLot", "LOT-1", `[{"lotId":"C1","quantity":0.1}]`)

	// full split: 0.1 + 0.1 == remaining 0.2 despite float arithmetic
	e.ok(ids.proc, "SplitLot", "LOT-1", `[{"lotId":"C2","quantity":0.1},{"lotId":"C3","quantity":0.1}]`)
	name, payload := e.lastEvent()
	require.Equal(t, EventLotSplit, name)
	require.Equal(t, 0.0, payload["remainingQuantity"])
	require.Len(t, payload["children"], 2)
	parent = e.getLot("LOT-1")
	require.Equal(t, 0.0, parent.RemainingQuantity)
	require.Equal(t, StatusSplit, parent.Status)
	require.Equal(t, StatusProcessed, parent.PreviousStatus)
	require.Equal(t, []string{"C1", "C2", "C3"}, parent.ChildIDs)
	e.fail(ids.proc, CodeInvalidState, "SplitLot", "LOT-1", `[{"lotId":"C4","quantity":0.1}]`)

	// every child has its own LotSplit event
	events := decode[[]Event](t, e.ok(ids.farm, "GetLotEvents", "C3"))
	require.Len(t, events, 1)
	require.Equal(t, EventLotSplit, events[0].Name)
	require.Equal(t, "LOT-1", events[0].ParentID)
	require.Equal(t, 1, events[0].Seq)

	// only the custodian may split
	e.ok(ids.procAdmin, "GrantRole", "RetailerMSP", "processor")
	e.fail(ids.retail, CodeNotCustodian, "SplitLot", "C1", `[{"lotId":"C1a","quantity":0.05}]`)
	e.ok(ids.proc, "ProposeTransfer", "C1", "RetailerMSP", "", "", "")
	e.fail(ids.proc, CodeInvalidState, "SplitLot", "C1", `[{"lotId":"C1a","quantity":0.05}]`)
}

func TestSplitLotMaxChildren(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "1000")
	e.toProcessor("LOT-1")
	var many []string
	for i := 0; i < MaxChildren; i++ {
		many = append(many, fmt.Sprintf(`{"lotId":"C%03d","quantity":10}`, i))
	}
	children := decode[[]Lot](t, e.ok(ids.proc, "SplitLot", "LOT-1", "["+strings.Join(many, ",")+"]"))
	require.Len(t, children, MaxChildren)
	require.Equal(t, StatusSplit, e.getLot("LOT-1").Status)
	require.Len(t, decode[[]Lot](t, e.ok(ids.proc, "ListLotsByStatus", StatusPackaged)), MaxChildren)
}
