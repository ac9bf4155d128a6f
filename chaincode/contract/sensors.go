package contract

import (
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
	lot.Checkpoints = append(lot.Checkpoints, Checkpoint{
		Latitude: latitude, Longitude: longitude, Location: location, Note: note,
		RecordedBy: t.msp, TxID: t.txID, Timestamp: t.now,
	})
	t.touch(lot)
	ev := t.newEvent(EventCheckpointRecorded, lotId)
	ev.Latitude = latitude
	ev.Longitude = longitude
	ev.Location = location
	ev.Note = note
	if err := t.saveAndPublish(lot, ev); err != nil {
		return nil, err
	}
	return lot, nil
}

// RecordTemperature records a temperature reading. A reading outside the product's
// [minTempC, maxTempC] quarantines the lot and emits TemperatureAlert instead of
// TemperatureRecorded.
func (c *SmartContract) RecordTemperature(ctx contractapi.TransactionContextInterface, lotId string, celsius float64, location string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := firstError(checkID("lotId", lotId), checkRange("celsius", celsius, MinTempC, MaxTempC), checkText("location", location, 0, MaxText)); err != nil {
		return nil, err
	}
	lot, err := t.loadLotForReading(lotId)
	if err != nil {
		return nil, err
	}
	product, err := getProduct(t.stub, lot.ProductID)
	if err != nil {
		return nil, err
	}
	inRange := celsius >= product.MinTempC && celsius <= product.MaxTempC
	lot.Temperatures = append(lot.Temperatures, TemperatureReading{
		Celsius: celsius, Location: location, InRange: inRange, RecordedBy: t.msp, TxID: t.txID, Timestamp: t.now,
	})
	name := EventTemperatureRecorded
	if !inRange {
		name = EventTemperatureAlert
		if lot.Status != StatusQuarantined {
			lot.setStatus(StatusQuarantined)
		}
	}
	t.touch(lot)
	ev := t.newEvent(name, lotId)
	ev.Celsius = celsius
	ev.Location = location
	ev.MinTempC = product.MinTempC
	ev.MaxTempC = product.MaxTempC
	ev.InRange = inRange
	if !inRange {
		ev.Status = lot.Status
		ev.PreviousStatus = lot.PreviousStatus
	}
	if err := t.saveAndPublish(lot, ev); err != nil {
		return nil, err
	}
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
