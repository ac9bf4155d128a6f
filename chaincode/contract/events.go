package contract

import (
	"encoding/json"
	"strconv"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Chaincode event names (one per state-changing transaction).
const (
	EventRolesInitialized    = "RolesInitialized"
	EventRoleGranted         = "RoleGranted"
	EventRoleRevoked         = "RoleRevoked"
	EventProductDefined      = "ProductDefined"
	EventLotHarvested        = "LotHarvested"
	EventInputRecorded       = "InputRecorded"
	EventCertificateAnchored = "CertificateAnchored"
	EventLotProcessed        = "LotProcessed"
	EventLotSplit            = "LotSplit"
	EventTransferProposed    = "TransferProposed"
	EventTransferAccepted    = "TransferAccepted"
	EventTransferRejected    = "TransferRejected"
	EventTransferCancelled   = "TransferCancelled"
	EventCheckpointRecorded  = "CheckpointRecorded"
	EventTemperatureRecorded = "TemperatureRecorded"
	EventTemperatureAlert    = "TemperatureAlert"
	EventQuarantineReleased  = "QuarantineReleased"
	EventLotSold             = "LotSold"
	EventAuthenticityChecked = "AuthenticityChecked"
	EventLotRecalled         = "LotRecalled"
	EventPriceRecorded       = "PriceRecorded"
)

// Event is both the chaincode event payload and an entry of a lot's event list.
// The common fields are always present; the detail fields depend on the event
// name and are omitted when unused. Numeric and boolean details whose zero value
// is meaningful are typed "any" (always float64 / bool) so they can be omitted.
type Event struct {
	Seq       int    `json:"seq,omitempty" metadata:",optional"`
	Name      string `json:"name"`
	LotID     string `json:"lotId,omitempty" metadata:",optional"`
	Actor     string `json:"actor"`
	TxID      string `json:"txId"`
	Timestamp string `json:"timestamp"`

	MspID             string              `json:"mspId,omitempty" metadata:",optional"`
	Role              string              `json:"role,omitempty" metadata:",optional"`
	Roles             map[string][]string `json:"roles,omitempty" metadata:",optional"`
	ProductID         string              `json:"productId,omitempty" metadata:",optional"`
	ProductName       string              `json:"productName,omitempty" metadata:",optional"`
	MinTempC          any                 `json:"minTempC,omitempty" metadata:",optional"`
	MaxTempC          any                 `json:"maxTempC,omitempty" metadata:",optional"`
	Variety           string              `json:"variety,omitempty" metadata:",optional"`
	Quantity          any                 `json:"quantity,omitempty" metadata:",optional"`
	RemainingQuantity any                 `json:"remainingQuantity,omitempty" metadata:",optional"`
	Unit              string              `json:"unit,omitempty" metadata:",optional"`
	FarmName          string              `json:"farmName,omitempty" metadata:",optional"`
	HarvestDate       string              `json:"harvestDate,omitempty" metadata:",optional"`
	Custodian         string              `json:"custodian,omitempty" metadata:",optional"`
	InputType         string              `json:"inputType,omitempty" metadata:",optional"`
	InputProduct      string              `json:"inputProduct,omitempty" metadata:",optional"`
	Dose              string              `json:"dose,omitempty" metadata:",optional"`
	AppliedDate       string              `json:"appliedDate,omitempty" metadata:",optional"`
	CertID            string              `json:"certId,omitempty" metadata:",optional"`
	CertType          string              `json:"certType,omitempty" metadata:",optional"`
	Issuer            string              `json:"issuer,omitempty" metadata:",optional"`
	SHA256            string              `json:"sha256,omitempty" metadata:",optional"`
	ValidFrom         string              `json:"validFrom,omitempty" metadata:",optional"`
	ValidUntil        string              `json:"validUntil,omitempty" metadata:",optional"`
	Step              string              `json:"step,omitempty" metadata:",optional"`
	Notes             string              `json:"notes,omitempty" metadata:",optional"`
	Status            string              `json:"status,omitempty" metadata:",optional"`
	PreviousStatus    string              `json:"previousStatus,omitempty" metadata:",optional"`
	ParentID          string              `json:"parentId,omitempty" metadata:",optional"`
	Children          []SplitChild        `json:"children,omitempty" metadata:",optional"`
	FromMsp           string              `json:"fromMsp,omitempty" metadata:",optional"`
	ToMsp             string              `json:"toMsp,omitempty" metadata:",optional"`
	Carrier           string              `json:"carrier,omitempty" metadata:",optional"`
	Vehicle           string              `json:"vehicle,omitempty" metadata:",optional"`
	Route             string              `json:"route,omitempty" metadata:",optional"`
	Reason            string              `json:"reason,omitempty" metadata:",optional"`
	Latitude          any                 `json:"latitude,omitempty" metadata:",optional"`
	Longitude         any                 `json:"longitude,omitempty" metadata:",optional"`
	Location          string              `json:"location,omitempty" metadata:",optional"`
	Note              string              `json:"note,omitempty" metadata:",optional"`
	Celsius           any                 `json:"celsius,omitempty" metadata:",optional"`
	InRange           any                 `json:"inRange,omitempty" metadata:",optional"`
	Store             string              `json:"store,omitempty" metadata:",optional"`
	Checks            int                 `json:"checks,omitempty" metadata:",optional"`
	LikelyClone       any                 `json:"likelyClone,omitempty" metadata:",optional"`
	Count             int                 `json:"count,omitempty" metadata:",optional"`
	LowestCelsius     any                 `json:"lowestCelsius,omitempty" metadata:",optional"`
	HighestCelsius    any                 `json:"highestCelsius,omitempty" metadata:",optional"`
	LotIDs            []string            `json:"lotIds,omitempty" metadata:",optional"`
	RootLotID         string              `json:"rootLotId,omitempty" metadata:",optional"`
	PriceHash         string              `json:"priceHash,omitempty" metadata:",optional"`
}

// newEvent starts an event with the fields every payload carries.
func (t *txn) newEvent(name, lotID string) *Event {
	return &Event{Name: name, LotID: lotID, Actor: t.msp, TxID: t.txID, Timestamp: t.now}
}

// stageEvent assigns ev the next sequence number of its lot's event list. It only
// reads, so transactions call it before their first write. Reads do not see the
// transaction's own writes, hence a transaction stages at most one event per lot.
func (t *txn) stageEvent(ev *Event) error {
	seq, err := t.lastSeq(ev.LotID)
	if err != nil {
		return err
	}
	ev.Seq = seq + 1
	return nil
}

// lastSeq reads the sequence number of the lot's last lot-changing event (0 if none).
func (t *txn) lastSeq(lotID string) (int, error) {
	data, err := t.stub.GetState(eventSeqKey(lotID))
	if err != nil {
		return 0, ledgerError("GetState", err)
	}
	if len(data) == 0 {
		return 0, nil
	}
	seq, err := strconv.Atoi(string(data))
	if err != nil {
		return 0, newError("CORRUPT_EVENT_SEQUENCE", Params{"lot": lotID})
	}
	return seq, nil
}

// saveEntries ends a transaction that records entries of a lot (write puts them under their own
// keys). When the lot itself changed (changed: a breach that quarantines it, an input that moves
// updatedAt) it is written and ev takes the lot's next sequence number, as saveAndPublish does.
// Otherwise the lot is not written and eventseq~lotId is only read: ev goes into the lot's list
// under a key of its own (readingEventKey), so concurrent readings on one lot write disjoint keys.
// Such an event's seq is given when the list is read (lotEvents); the emitted payload has none.
func (t *txn) saveEntries(lot *Lot, ev *Event, changed bool, write func() error) error {
	if changed {
		if err := t.stageEvent(ev); err != nil {
			return err
		}
		if err := putLot(t.stub, lot); err != nil {
			return err
		}
		if err := write(); err != nil {
			return err
		}
		if err := t.storeEvent(ev); err != nil {
			return err
		}
		return t.emit(ev)
	}
	seq, err := t.lastSeq(ev.LotID)
	if err != nil {
		return err
	}
	if err := write(); err != nil {
		return err
	}
	if err := putJSON(t.stub, readingEventKey(ev.LotID, seq, t.now, t.txID), ev); err != nil {
		return err
	}
	return t.emit(ev)
}

// storeEvent writes a staged event into its lot's event list.
func (t *txn) storeEvent(ev *Event) error {
	if err := putJSON(t.stub, eventKey(ev.LotID, ev.Seq), ev); err != nil {
		return err
	}
	if err := t.stub.PutState(eventSeqKey(ev.LotID), []byte(strconv.Itoa(ev.Seq))); err != nil {
		return ledgerError("PutState", err)
	}
	return nil
}

// emit sets ev as the transaction's single chaincode event.
func (t *txn) emit(ev *Event) error {
	payload, err := json.Marshal(ev)
	if err != nil {
		return newError("CANNOT_ENCODE_EVENT", Params{"error": err})
	}
	if err := t.stub.SetEvent(ev.Name, payload); err != nil {
		return ledgerError("SetEvent", err)
	}
	return nil
}

// saveAndPublish ends a single-lot transaction: it stages ev, then writes the lot
// and the event and emits ev as the chaincode event.
func (t *txn) saveAndPublish(lot *Lot, ev *Event) error {
	if err := t.stageEvent(ev); err != nil {
		return err
	}
	if err := putLot(t.stub, lot); err != nil {
		return err
	}
	if err := t.storeEvent(ev); err != nil {
		return err
	}
	return t.emit(ev)
}

// lotEvents returns the event list of a lot in sequence order.
func lotEvents(stub shim.ChaincodeStubInterface, lotID string) ([]Event, error) {
	events := []Event{}
	err := iterate(stub, objEvent, []string{lotID}, func(_ string, value []byte) error {
		var ev Event
		if err := json.Unmarshal(value, &ev); err != nil {
			return newError("CORRUPT_EVENT_RECORD", Params{"error": err})
		}
		ev.Seq = len(events) + 1 // readings' events are numbered here, in list order
		events = append(events, ev)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return events, nil
}
