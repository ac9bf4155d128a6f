package contract

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGTIN14(t *testing.T) {
	for in, want := range map[string]string{
		"00614141000111": "00614141000111",
		"614141000111":   "00614141000111", // GTIN-12 (UPC-A)
		"4006381333931":  "04006381333931", // GTIN-13
		"96385074":       "00000096385074", // GTIN-8
	} {
		got, err := gtin14(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got)
	}
	for _, bad := range []string{"", "00614141000112", "0061414100011", "0061414100011x", "006141410001110"} {
		_, err := gtin14(bad)
		require.Equal(t, CodeInvalidArgument, CodeOf(err), bad)
		require.Equal(t, Key("GTIN_INVALID"), KeyOf(err))
	}
}

func TestAssignGTIN(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.ok(ids.farm, "DefineProduct", "pear", "Pears", "0", "4")
	p := decode[Product](t, e.ok(ids.farm, "AssignGTIN", "tomato", "614141000111"))
	require.Equal(t, "00614141000111", p.GTIN)
	require.Equal(t, "00614141000111", decode[Product](t, e.ok(ids.retail, "GetProduct", "tomato")).GTIN)
	e.fail(ids.farm, CodeAlreadyExists, "AssignGTIN", "tomato", "00614141000128") // once per product
	e.fail(ids.farm, CodeAlreadyExists, "AssignGTIN", "pear", "00614141000111")   // one product per GTIN
	e.fail(ids.retail, CodeForbidden, "AssignGTIN", "pear", "00614141000128")     // growers and processors
	e.fail(ids.farm, CodeInvalidArgument, "AssignGTIN", "pear", "00614141000129") // check digit
	e.fail(ids.farm, CodeNotFound, "AssignGTIN", "plum", "00614141000128")
	require.Equal(t, "", decode[Product](t, e.ok(ids.farm, "GetProduct", "pear")).GTIN)
}

func TestReferenceDocuments(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	e.ok(ids.farm, "RecordReferenceDocument", "LOT-1", "HARVESTING", "WORK_ORDER", "WO-7")
	e.fail(ids.proc, CodeNotCustodian, "RecordReferenceDocument", "LOT-1", "HARVESTING", "WORK_ORDER", "WO-8")
	e.fail(ids.farm, CodeInvalidArgument, "RecordReferenceDocument", "LOT-1", "PICKING", "WORK_ORDER", "WO-8")
	e.fail(ids.farm, CodeInvalidArgument, "RecordReferenceDocument", "LOT-1", "HARVESTING", "FAX", "WO-8")
	e.fail(ids.farm, CodeInvalidArgument, "RecordReferenceDocument", "LOT-1", "HARVESTING", "OTHER", "")
	// a half document is refused and the transfer is not made
	e.fail(ids.farm, CodeInvalidArgument, "ProposeTransferWithDocument", "LOT-1", "ProcessorMSP", "", "", "", "BILL_OF_LADING", "")
	require.Equal(t, StatusHarvested, decode[Lot](t, e.ok(ids.farm, "GetLot", "LOT-1")).Status)

	shipped := decode[Lot](t, e.ok(ids.farm, "ProposeTransferWithDocument", "LOT-1", "ProcessorMSP", "ColdLink", "TRK-1", "", "BILL_OF_LADING", "BOL-1"))
	require.Equal(t, StatusInTransit, shipped.Status)
	shipTx := e.stub.txID
	name, _ := e.lastEvent()
	require.Equal(t, EventTransferProposed, name)
	// the pending receiver may record its documents before accepting
	e.ok(ids.proc, "RecordReferenceDocument", "LOT-1", "RECEIVING", "PURCHASE_ORDER", "PO-9")
	received := decode[Lot](t, e.ok(ids.proc, "AcceptTransferWithDocument", "LOT-1", "ASN", "ASN-3"))
	require.Equal(t, "ProcessorMSP", received.Custodian)
	acceptTx := e.stub.txID
	e.fail(ids.proc, CodeInvalidState, "AcceptTransferWithDocument", "LOT-1", "", "") // nothing pending now
	docs := decode[[]ReferenceDocument](t, e.ok(ids.retail, "GetReferenceDocuments", "LOT-1"))
	require.Len(t, docs, 4)
	byNumber := map[string]ReferenceDocument{}
	for _, d := range docs {
		byNumber[d.DocNumber] = d
	}
	require.Equal(t, ReferenceDocument{LotID: "LOT-1", CTE: "SHIPPING", DocType: "BILL_OF_LADING", DocNumber: "BOL-1",
		RecordedBy: "FarmMSP", TxID: shipTx, Timestamp: byNumber["BOL-1"].Timestamp}, byNumber["BOL-1"])
	require.Equal(t, acceptTx, byNumber["ASN-3"].TxID)
	require.Equal(t, "RECEIVING", byNumber["ASN-3"].CTE)
	require.Equal(t, "HARVESTING", byNumber["WO-7"].CTE)
	e.fail(ids.farm, CodeNotFound, "GetReferenceDocuments", "LOT-9")
}
