package contract

import (
	"fmt"
	"math"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// loadLotForReading loads a lot for a checkpoint / temperature reading: allowed for
// the custodian, or for an MSP holding the carrier role while the lot is in transit
// (it has a pending transfer, even if it was quarantined on the way).
func (t *txn) loadLotForReading(lotID string) (*Lot, error) {
	lot, err := t.loadActiveLot(lotID)
	if err != nil {
		return nil, err
	}
	if lot.Custodian != t.msp {
		if lot.PendingTransfer == nil {
			return nil, t.requireCustodian(lot)
		}
		isCarrier, err := t.callerHasRole(RoleCarrier)
		if err != nil {
			return nil, err
		}
		if !isCarrier {
			return nil, newError("NOT_CUSTODIAN_OR_CARRIER", Params{"lot": lotID, "custodian": lot.Custodian})
		}
	}
	if lot.Status == StatusSold || lot.Status == StatusSplit {
		return nil, newError("READINGS_NOT_ALLOWED", Params{"lot": lotID, "status": lot.Status})
	}
	return lot, nil
}

// RecordCheckpoint records a geo-located waypoint for a lot.
func (c *SmartContract) RecordCheckpoint(ctx contractapi.TransactionContextInterface, lotId string, latitude float64, longitude float64, location string, note string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	checks := []error{
		checkID("lotId", lotId),
		checkRange("latitude", latitude, -90, 90),
		checkRange("longitude", longitude, -180, 180),
		checkText("location", location, 0, MaxText),
		checkText("note", note, 0, MaxLongText),
	}
	if err := firstError(checks...); err != nil {
		return nil, err
	}
	lot, err := t.loadLotForReading(lotId)
	if err != nil {
		return nil, err
	}
	cp := Checkpoint{
		Latitude: latitude, Longitude: longitude, Location: location, Note: note,
		RecordedBy: t.msp, TxID: t.txID, Timestamp: t.now,
	}
	ev := t.newEvent(EventCheckpointRecorded, lotId)
	ev.Latitude = latitude
	ev.Longitude = longitude
	ev.Location = location
	ev.Note = note
	// The lot is not rewritten: the checkpoint goes under a key of its own (entries.go).
	if err := t.saveEntries(lot, ev, false, func() error { return t.putEntry(objCheckpoint, lotId, 0, cp) }); err != nil {
		return nil, err
	}
	lot.Checkpoints = append(lot.Checkpoints, cp) // the returned lot lists this transaction's entry
	return lot, nil
}

// RecordTemperature records a temperature reading. A reading outside the product's
// [minTempC, maxTempC] quarantines the lot and emits TemperatureAlert instead of
// TemperatureRecorded. An in-range reading writes only its own keys (not the lot), so it costs
// the same however many readings came before and several sensors may record on one lot at once.
func (c *SmartContract) RecordTemperature(ctx contractapi.TransactionContextInterface, lotId string, celsius float64, location string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := firstError(checkID("lotId", lotId), checkRange("celsius", celsius, MinTempC, MaxTempC), checkText("location", location, 0, MaxText)); err != nil {
		return nil, err
	}
	return t.recordTemperatures(lotId, []TemperatureSample{{Celsius: celsius, Location: location}}, false)
}

// RecordTemperatures records up to MaxReadingsPerBatch readings in one transaction (a sensor
// gateway's upload), readingsJSON being [{"celsius":4.2,"location":"Truck 7"}, ...]. Each is
// checked against the product's range; any breach quarantines the lot. It emits one event:
// TemperatureRecorded, or TemperatureAlert (celsius = the first breach) when a reading breached,
// with count, lowestCelsius and highestCelsius.
func (c *SmartContract) RecordTemperatures(ctx contractapi.TransactionContextInterface, lotId string, readingsJSON string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkID("lotId", lotId); err != nil {
		return nil, err
	}
	var samples []TemperatureSample
	if err := decodeStrict("readingsJSON", readingsJSON, &samples); err != nil {
		return nil, err
	}
	if len(samples) == 0 || len(samples) > MaxReadingsPerBatch {
		return nil, newError("READINGS_COUNT", Params{"max": MaxReadingsPerBatch, "count": len(samples)})
	}
	for i, s := range samples {
		field := fmt.Sprintf("readingsJSON[%d]", i)
		if err := firstError(checkRange(field+".celsius", s.Celsius, MinTempC, MaxTempC), checkText(field+".location", s.Location, 0, MaxText)); err != nil {
			return nil, err
		}
	}
	return t.recordTemperatures(lotId, samples, true)
}

// recordTemperatures stores checked samples under their own keys and publishes one event.
func (t *txn) recordTemperatures(lotID string, samples []TemperatureSample, batch bool) (*Lot, error) {
	lot, err := t.loadLotForReading(lotID)
	if err != nil {
		return nil, err
	}
	product, err := getProduct(t.stub, lot.ProductID)
	if err != nil {
		return nil, err
	}
	readings := make([]TemperatureReading, len(samples))
	var breach *TemperatureReading
	lowest, highest := samples[0].Celsius, samples[0].Celsius
	for i, s := range samples {
		inRange := s.Celsius >= product.MinTempC && s.Celsius <= product.MaxTempC
		readings[i] = TemperatureReading{
			Celsius: s.Celsius, Location: s.Location, InRange: inRange, RecordedBy: t.msp, TxID: t.txID, Timestamp: t.now,
		}
		if !inRange && breach == nil {
			breach = &readings[i]
		}
		lowest, highest = math.Min(lowest, s.Celsius), math.Max(highest, s.Celsius)
	}
	shown := readings[len(readings)-1]
	name := EventTemperatureRecorded
	if breach != nil {
		shown = *breach
		name = EventTemperatureAlert
		if lot.Status != StatusQuarantined {
			lot.setStatus(StatusQuarantined)
		}
		lot.TemperatureBreach = true
		t.touch(lot)
	}
	ev := t.newEvent(name, lotID)
	ev.Celsius = shown.Celsius
	ev.Location = shown.Location
	ev.MinTempC = product.MinTempC
	ev.MaxTempC = product.MaxTempC
	ev.InRange = breach == nil
	if batch {
		ev.Count = len(readings)
		ev.LowestCelsius = lowest
		ev.HighestCelsius = highest
	}
	if breach != nil {
		ev.Status = lot.Status
		ev.PreviousStatus = lot.PreviousStatus
	}
	write := func() error {
		for i, r := range readings {
			if err := t.putEntry(objTemperature, lotID, i, r); err != nil {
				return err
			}
		}
		return nil
	}
	if err := t.saveEntries(lot, ev, breach != nil, write); err != nil {
		return nil, err
	}
	lot.Temperatures = append(lot.Temperatures, readings...) // the returned lot lists this transaction's readings
	return lot, nil
}

// ReleaseQuarantine returns a QUARANTINED lot to its previous status (custodian only).
func (c *SmartContract) ReleaseQuarantine(ctx contractapi.TransactionContextInterface, lotId string, reason string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := firstError(checkID("lotId", lotId), checkText("reason", reason, 1, MaxLongText)); err != nil {
		return nil, err
	}
	lot, err := t.loadActiveLot(lotId)
	if err != nil {
		return nil, err
	}
	if err := t.requireCustodian(lot); err != nil {
		return nil, err
	}
	if err := requireStatus(lot, "release", StatusQuarantined); err != nil {
		return nil, err
	}
	if err := t.requireAttrRole(AttrRoleInspector, "release a quarantine"); err != nil {
		return nil, err
	}
	lot.setStatus(lot.PreviousStatus)
	t.touch(lot)
	ev := t.newEvent(EventQuarantineReleased, lotId)
	ev.Reason = reason
	ev.Status = lot.Status
	if err := t.saveAndPublish(lot, ev); err != nil {
		return nil, err
	}
	return lot, nil
}
