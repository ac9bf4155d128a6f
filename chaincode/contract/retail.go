package contract

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// MarkSold records the retail sale of a lot by the retailer holding it (status SOLD).
func (c *SmartContract) MarkSold(ctx contractapi.TransactionContextInterface, lotId string, store string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := firstError(checkID("lotId", lotId), checkText("store", store, 1, MaxShortText)); err != nil {
		return nil, err
	}
	lot, err := t.workableLotAs(RoleRetailer, lotId, "sell")
	if err != nil {
		return nil, err
	}
	lot.Sold = &Sale{Store: store, SoldBy: t.msp, TxID: t.txID, Timestamp: t.now}
	lot.setStatus(StatusSold)
	t.touch(lot)
	ev := t.newEvent(EventLotSold, lotId)
	ev.Store = store
	ev.Status = lot.Status
	if err := t.saveAndPublish(lot, ev); err != nil {
		return nil, err
	}
	return lot, nil
}

// CheckAuthenticity records a consumer scan of a lot at location (a store) and returns
// the lot, its product, a journey summary and the scan statistics. Any member org may
// call it. likelyClone is true once the lot was scanned at more than one location.
func (c *SmartContract) CheckAuthenticity(ctx contractapi.TransactionContextInterface, lotId string, location string) (*AuthenticityResult, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := firstError(checkID("lotId", lotId), checkText("location", location, 1, MaxShortText)); err != nil {
		return nil, err
	}
	location = strings.TrimSpace(location)
	lot, err := getAssembledLot(t.stub, lotId)
	if err != nil {
		return nil, err
	}
	product, err := getProduct(t.stub, lot.ProductID)
	if err != nil {
		return nil, err
	}
	journey, err := buildJourney(t, lot)
	if err != nil {
		return nil, err
	}
	rec := authRecord{LotID: lotId, Locations: []string{}}
	if _, err := getJSON(t.stub, authCheckKey(lotId), &rec); err != nil {
		return nil, err
	}
	rec.Checks++
	if !containsString(rec.Locations, location) {
		rec.Locations = append(rec.Locations, location)
		sort.Strings(rec.Locations)
	}
	likelyClone := len(rec.Locations) > 1
	ev := t.newEvent(EventAuthenticityChecked, lotId)
	ev.Location = location
	ev.Checks = rec.Checks
	ev.LikelyClone = likelyClone
	if err := t.stageEvent(ev); err != nil {
		return nil, err
	}
	if err := putJSON(t.stub, authCheckKey(lotId), rec); err != nil {
		return nil, err
	}
	if err := t.storeEvent(ev); err != nil {
		return nil, err
	}
	if err := t.emit(ev); err != nil {
		return nil, err
	}
	return &AuthenticityResult{
		Lot:         lot,
		Product:     product,
		Journey:     journey,
		Checks:      rec.Checks,
		Locations:   rec.Locations,
		LikelyClone: likelyClone,
		Recalled:    lot.Status == StatusRecalled,
	}, nil
}

// journeySkip lists events left out of the consumer journey (noise or confidential).
var journeySkip = map[string]bool{
	EventAuthenticityChecked: true,
	EventTemperatureRecorded: true,
	EventPriceRecorded:       true,
}

// buildJourney summarises the events of the lot's ancestors (up to the moment the next
// lot in the line was created) followed by the lot's own events, oldest first.
func buildJourney(t *txn, lot *Lot) ([]JourneyStep, error) {
	line, err := ancestry(t.stub, lot)
	if err != nil {
		return nil, err
	}
	line = append(line, lot)
	steps := []JourneyStep{}
	for i, l := range line {
		events, err := lotEvents(t.stub, l.LotID)
		if err != nil {
			return nil, err
		}
		cutoff := ""
		if i+1 < len(line) {
			cutoff = line[i+1].CreatedAt
		}
		for _, ev := range events {
			if journeySkip[ev.Name] || (cutoff != "" && ev.Timestamp > cutoff) {
				continue
			}
			steps = append(steps, JourneyStep{
				LotID: ev.LotID, Event: ev.Name, Actor: ev.Actor, Timestamp: ev.Timestamp, Summary: summarize(&ev),
			})
		}
	}
	return steps, nil
}

// summarize renders one event as a short human-readable sentence.
func summarize(ev *Event) string {
	switch ev.Name {
	case EventLotHarvested:
		return fmt.Sprintf("Harvested %v %s at %s on %s", ev.Quantity, ev.Unit, ev.FarmName, ev.HarvestDate)
	case EventInputRecorded:
		return fmt.Sprintf("%s applied: %s %s", titleCase(ev.InputType), ev.InputProduct, ev.Dose)
	case EventCertificateAnchored:
		return fmt.Sprintf("Certificate %s (%s) issued by %s", ev.CertID, ev.CertType, ev.Issuer)
	case EventLotProcessed:
		return fmt.Sprintf("Processed: %s", titleCase(ev.Step))
	case EventLotSplit:
		if ev.ParentID != "" {
			return fmt.Sprintf("Packed as %v %s from lot %s", ev.Quantity, ev.Unit, ev.ParentID)
		}
		return fmt.Sprintf("Split into %d lots", len(ev.Children))
	case EventTransferProposed:
		return fmt.Sprintf("Shipped from %s to %s", ev.FromMsp, ev.ToMsp)
	case EventTransferAccepted:
		return fmt.Sprintf("Received by %s", ev.ToMsp)
	case EventTransferRejected:
		return fmt.Sprintf("Rejected by %s: %s", ev.ToMsp, ev.Reason)
	case EventTransferCancelled:
		return fmt.Sprintf("Shipment to %s cancelled", ev.ToMsp)
	case EventCheckpointRecorded:
		return fmt.Sprintf("Checkpoint %s (%v, %v)", ev.Location, ev.Latitude, ev.Longitude)
	case EventTemperatureAlert:
		return fmt.Sprintf("Temperature alert: %v°C at %s (allowed %v..%v°C)", ev.Celsius, ev.Location, ev.MinTempC, ev.MaxTempC)
	case EventQuarantineReleased:
		return fmt.Sprintf("Released from quarantine: %s", ev.Reason)
	case EventLotSold:
		return fmt.Sprintf("Sold at %s", ev.Store)
	case EventLotRecalled:
		return fmt.Sprintf("Recalled: %s", ev.Reason)
	default:
		return ev.Name
	}
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}
