package contract

import (
	"encoding/json"
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Key Data Elements (FSMA 204) that the rest of the contract does not already hold: the reference
// documents (bill of lading, ASN, invoice, ...) of a Critical Tracking Event, and the GTIN check.
// Each document is its own ledger key, refdoc~lotId~txId, so recording one never rewrites the lot.

// Critical Tracking Events of FSMA 204 a document can belong to.
var criticalTrackingEvents = []string{
	"HARVESTING", "COOLING", "INITIAL_PACKING", "SHIPPING", "RECEIVING", "TRANSFORMATION",
}

// Reference document types (the GS1 CBV business transaction types they map to are in the app).
var referenceDocumentTypes = []string{
	"BILL_OF_LADING", "ASN", "INVOICE", "PURCHASE_ORDER", "PACKING_LIST", "WORK_ORDER", "OTHER",
}

const (
	objRefDoc = "refdoc" // refdoc~lotId~txId -> ReferenceDocument
	objGTIN   = "gtin"   // gtin~gtin14 -> productId

	// EventDocumentRecorded is the chaincode event of a recorded reference document.
	EventDocumentRecorded = "ReferenceDocumentRecorded"
)

// ReferenceDocument is a document that backs one Critical Tracking Event of a lot.
type ReferenceDocument struct {
	LotID      string `json:"lotId"`
	CTE        string `json:"cte"`
	DocType    string `json:"docType"`
	DocNumber  string `json:"docNumber"`
	RecordedBy string `json:"recordedBy"`
	TxID       string `json:"txId"`
	Timestamp  string `json:"timestamp"`
}

// documentEvent is the chaincode event payload of RecordReferenceDocument and of the
// ...WithDocument transfer functions (which also emit their transfer event's fields through it).
type documentEvent struct {
	Name      string `json:"name"`
	LotID     string `json:"lotId"`
	Actor     string `json:"actor"`
	TxID      string `json:"txId"`
	Timestamp string `json:"timestamp"`
	CTE       string `json:"cte"`
	DocType   string `json:"docType"`
	DocNumber string `json:"docNumber"`
}

// gtin14 validates a GTIN-8/12/13/14 (digits and the GS1 mod-10 check digit) and returns it
// left-padded to 14 digits, the form GS1 Digital Link and EPCIS use.
func gtin14(v string) (string, error) {
	bad := newError("GTIN_INVALID", Params{"value": quote(v)})
	switch len(v) {
	case 8, 12, 13, 14:
	default:
		return "", bad
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return "", bad
		}
	}
	padded := fmt.Sprintf("%014s", v)
	sum := 0
	for i := 0; i < 13; i++ {
		d := int(padded[i] - '0')
		if i%2 == 0 { // positions 1, 3, ... from the left of a GTIN-14 weigh 3
			d *= 3
		}
		sum += d
	}
	if (10-sum%10)%10 != int(padded[13]-'0') {
		return "", bad
	}
	return padded, nil
}

func checkDocument(cte, docType, docNumber string) error {
	return firstError(
		checkOneOf("cte", cte, criticalTrackingEvents),
		checkOneOf("docType", docType, referenceDocumentTypes),
		checkText("docNumber", docNumber, 1, MaxShortText),
	)
}

// checkOptionalDocument accepts no document (both empty) or a complete one.
func checkOptionalDocument(cte, docType, docNumber string) error {
	if docType == "" && docNumber == "" {
		return nil
	}
	return checkDocument(cte, docType, docNumber)
}

// putDocument stores one reference document of the current transaction.
func (t *txn) putDocument(lotID, cte, docType, docNumber string) (*ReferenceDocument, error) {
	doc := &ReferenceDocument{
		LotID: lotID, CTE: cte, DocType: docType, DocNumber: docNumber,
		RecordedBy: t.msp, TxID: t.txID, Timestamp: t.now,
	}
	if err := putJSON(t.stub, compositeKey(objRefDoc, lotID, t.txID), doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// RecordReferenceDocument records the document (type and number) behind one Critical Tracking Event
// of a lot. The custodian, or the receiver of the lot's pending transfer, may record it.
func (c *SmartContract) RecordReferenceDocument(ctx contractapi.TransactionContextInterface, lotId string, cte string, docType string, docNumber string) (*ReferenceDocument, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := firstError(checkID("lotId", lotId), checkDocument(cte, docType, docNumber)); err != nil {
		return nil, err
	}
	lot, err := t.loadActiveLot(lotId)
	if err != nil {
		return nil, err
	}
	receiver := lot.PendingTransfer != nil && lot.PendingTransfer.ToMsp == t.msp
	if lot.Custodian != t.msp && !receiver {
		return nil, newError("DOCUMENT_HOLDER_ONLY", Params{"custodian": lot.Custodian, "lot": lotId})
	}
	doc, err := t.putDocument(lotId, cte, docType, docNumber)
	if err != nil {
		return nil, err
	}
	if err := t.emitDocument(doc); err != nil {
		return nil, err
	}
	return doc, nil
}

func (t *txn) emitDocument(doc *ReferenceDocument) error {
	payload, err := json.Marshal(documentEvent{
		Name: EventDocumentRecorded, LotID: doc.LotID, Actor: t.msp, TxID: t.txID, Timestamp: t.now,
		CTE: doc.CTE, DocType: doc.DocType, DocNumber: doc.DocNumber,
	})
	if err != nil {
		return newError("CANNOT_ENCODE_EVENT", Params{"error": err})
	}
	if err := t.stub.SetEvent(EventDocumentRecorded, payload); err != nil {
		return ledgerError("SetEvent", err)
	}
	return nil
}

// GetReferenceDocuments returns the reference documents of a lot in key order.
func (c *SmartContract) GetReferenceDocuments(ctx contractapi.TransactionContextInterface, lotId string) ([]*ReferenceDocument, error) {
	if err := checkID("lotId", lotId); err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	if _, err := getLot(stub, lotId); err != nil {
		return nil, err
	}
	docs := []*ReferenceDocument{}
	it, err := stub.GetStateByPartialCompositeKey(objRefDoc, []string{lotId})
	if err != nil {
		return nil, ledgerError("GetStateByPartialCompositeKey", err)
	}
	defer it.Close()
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, ledgerError("iterator Next", err)
		}
		doc := &ReferenceDocument{}
		if err := json.Unmarshal(kv.Value, doc); err != nil {
			return nil, newError("CORRUPT_EVENT_RECORD", Params{"error": err})
		}
		docs = append(docs, doc)
	}
	return docs, nil
}
