package contract

import (
	"fmt"
	"strings"
)

// Object types of the composite keys used by the contract. Keys are built in the
// same format as shim's CreateCompositeKey: 0x00 objectType 0x00 (attr 0x00)*.
// All attributes are validated identifiers or constants, so they never contain
// the reserved runes U+0000 / U+10FFFF.
const (
	objLot          = "lot"           // lot~lotId -> Lot
	objProduct      = "product"       // product~productId -> Product
	objRole         = "role"          // role~mspId -> roleRecord
	objEvent        = "event"         // event~lotId~seq -> Event
	objEventSeq     = "eventseq"      // eventseq~lotId -> last seq (decimal)
	objCustodianIdx = "custodian~lot" // custodian~lot~mspId~lotId -> 0x00
	objStatusIdx    = "status~lot"    // status~lot~status~lotId -> 0x00
	objAuthCheck    = "authcheck"     // authcheck~lotId -> authRecord
	objPrice        = "price"         // private: price~lotId -> exact transient JSON

	// A lot's entries live under keys of their own, so recording one writes a small new key
	// instead of rewriting the lot with its whole history (costs stay flat as a lot grows), and
	// two sensors writing to one lot never touch the same key (no MVCC conflict). The timestamp
	// orders them; the tx id and position keep the entries of one transaction apart.
	objTemperature = "temp"       // temp~lotId~timestamp~txId~nnn -> TemperatureReading
	objCheckpoint  = "checkpoint" // checkpoint~lotId~timestamp~txId~nnn -> Checkpoint
	objInput       = "input"      // input~lotId~timestamp~txId~nnn -> Input

	// PriceCollection is the private data collection shared by processor and retailer.
	PriceCollection = "processorRetailerPrices"

	seqWidth = 8
)

// indexValue is stored under index keys (an empty value would be a delete).
var indexValue = []byte{0x00}

func compositeKey(objectType string, attrs ...string) string {
	var b strings.Builder
	b.WriteByte(0x00)
	b.WriteString(objectType)
	b.WriteByte(0x00)
	for _, a := range attrs {
		b.WriteString(a)
		b.WriteByte(0x00)
	}
	return b.String()
}

func lotKey(lotID string) string         { return compositeKey(objLot, lotID) }
func productKey(productID string) string { return compositeKey(objProduct, productID) }
func roleKey(mspID string) string        { return compositeKey(objRole, mspID) }
func eventSeqKey(lotID string) string    { return compositeKey(objEventSeq, lotID) }
func authCheckKey(lotID string) string   { return compositeKey(objAuthCheck, lotID) }
func priceKey(lotID string) string       { return compositeKey(objPrice, lotID) }

func eventKey(lotID string, seq int) string {
	return compositeKey(objEvent, lotID, fmt.Sprintf("%0*d", seqWidth, seq))
}

// readingEventKey files the event of a reading that does not change the lot (so does not take
// the next sequence number, which would make eventseq~lotId a hot key) after the lot event seq it
// followed: event~lotId~seq~timestamp~txId sorts after event~lotId~seq and before seq+1.
func readingEventKey(lotID string, seq int, timestamp, txID string) string {
	return compositeKey(objEvent, lotID, fmt.Sprintf("%0*d", seqWidth, seq), timestamp, txID)
}

// entryKey is the key of the n-th entry of one kind that a transaction recorded for a lot.
func entryKey(objectType, lotID, timestamp, txID string, n int) string {
	return compositeKey(objectType, lotID, timestamp, txID, fmt.Sprintf("%03d", n))
}

func custodianIndexKey(mspID, lotID string) string {
	return compositeKey(objCustodianIdx, mspID, lotID)
}

func statusIndexKey(status, lotID string) string {
	return compositeKey(objStatusIdx, status, lotID)
}

// lastAttr returns the last attribute of a composite key built by compositeKey.
func lastAttr(key string) string {
	parts := strings.Split(strings.TrimSuffix(key, "\x00"), "\x00")
	return parts[len(parts)-1]
}
