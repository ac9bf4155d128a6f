package contract

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Agronomic input types and processing steps.
var (
	InputTypes      = []string{"FERTILISER", "PESTICIDE", "HERBICIDE", "IRRIGATION", "OTHER"}
	ProcessingSteps = []string{"WASHING", "GRADING", "PACKING", "COOLING", "OTHER"}
)

// HarvestLot creates a farm lot (status HARVESTED) held by the calling grower.
func (c *SmartContract) HarvestLot(ctx contractapi.TransactionContextInterface, lotId string, productId string, variety string,
	quantity float64, unit string, farmName string, farmLocation string, plot string, harvestDate string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	checks := []error{
		checkID("lotId", lotId),
		checkID("productId", productId),
		checkText("variety", variety, 0, MaxShortText),
		checkLotQuantity("quantity", quantity),
		checkText("unit", unit, 1, MaxUnitLength),
		checkText("farmName", farmName, 1, MaxShortText),
		checkText("farmLocation", farmLocation, 0, MaxText),
		checkText("plot", plot, 0, MaxShortText),
	}
	if err := firstError(checks...); err != nil {
		return nil, err
	}
	if _, err := checkDate("harvestDate", harvestDate); err != nil {
		return nil, err
	}
	if err := t.requireRole(RoleGrower); err != nil {
		return nil, err
	}
	if _, err := getProduct(t.stub, productId); err != nil {
		return nil, err
	}
	exists, err := lotExists(t.stub, lotId)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, newError("LOT_ALREADY_EXISTS", Params{"lot": lotId})
	}
	quantity = roundQuantity(quantity)
	lot := &Lot{
		LotID:             lotId,
		ProductID:         productId,
		Variety:           variety,
		Quantity:          quantity,
		RemainingQuantity: quantity,
		Unit:              unit,
		OriginMsp:         t.msp,
		Farm:              Farm{Name: farmName, Location: farmLocation, Plot: plot},
		HarvestDate:       harvestDate,
		Custodian:         t.msp,
		Status:            StatusHarvested,
		CreatedTxID:       t.txID,
		CreatedAt:         t.now,
		UpdatedAt:         t.now,
	}
	ev := t.newEvent(EventLotHarvested, lotId)
	ev.ProductID = productId
	ev.Variety = variety
	ev.Quantity = quantity
	ev.Unit = unit
	ev.FarmName = farmName
	ev.HarvestDate = harvestDate
	ev.Custodian = t.msp
	ev.Status = lot.Status
	ev.Seq = 1 // a new lot's list is empty: no read of its event sequence (one ledger round trip less)
	if err := putLot(t.stub, lot); err != nil {
		return nil, err
	}
	if err := t.storeEvent(ev); err != nil {
		return nil, err
	}
	if err := t.emit(ev); err != nil {
		return nil, err
	}
	return lot, nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// RecordInput records an agronomic input applied to a lot held by the calling grower.
func (c *SmartContract) RecordInput(ctx contractapi.TransactionContextInterface, lotId string, inputType string, product string, dose string, appliedDate string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	checks := []error{
		checkID("lotId", lotId),
		checkOneOf("inputType", inputType, InputTypes),
		checkText("product", product, 1, MaxShortText),
		checkText("dose", dose, 0, MaxShortText),
	}
	if err := firstError(checks...); err != nil {
		return nil, err
	}
	if _, err := checkDate("appliedDate", appliedDate); err != nil {
		return nil, err
	}
	lot, err := t.workableLotAs(RoleGrower, lotId, "record an input on")
	if err != nil {
		return nil, err
	}
	in := Input{
		InputType: inputType, Product: product, Dose: dose, AppliedDate: appliedDate,
		RecordedBy: t.msp, TxID: t.txID, Timestamp: t.now,
	}
	t.touch(lot)
	ev := t.newEvent(EventInputRecorded, lotId)
	ev.InputType = inputType
	ev.InputProduct = product
	ev.Dose = dose
	ev.AppliedDate = appliedDate
	// The lot is written (updatedAt) but does not grow: the input goes under a key of its own.
	if err := t.saveEntries(lot, ev, true, func() error { return t.putEntry(objInput, lotId, 0, in) }); err != nil {
		return nil, err
	}
	lot.Inputs = append(lot.Inputs, in) // the returned lot lists this transaction's entry
	return lot, nil
}

// AnchorCertificate anchors the SHA-256 of a certificate document to a lot. Only the
// custodian may anchor; it is allowed in any status (evidence can arrive late).
func (c *SmartContract) AnchorCertificate(ctx contractapi.TransactionContextInterface, lotId string, certId string, certType string,
	issuer string, sha256Hex string, validFrom string, validUntil string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	checks := []error{
		checkID("lotId", lotId),
		checkID("certId", certId),
		checkText("certType", certType, 1, MaxShortText),
		checkText("issuer", issuer, 1, MaxShortText),
		checkSHA256("sha256Hex", sha256Hex),
	}
	if err := firstError(checks...); err != nil {
		return nil, err
	}
	from, err := checkDate("validFrom", validFrom)
	if err != nil {
		return nil, err
	}
	until, err := checkDate("validUntil", validUntil)
	if err != nil {
		return nil, err
	}
	if until.Before(from) {
		return nil, newError("CERTIFICATE_DATES_REVERSED", Params{"validFrom": validFrom, "validUntil": validUntil})
	}
	lot, err := getLot(t.stub, lotId)
	if err != nil {
		return nil, err
	}
	if err := t.requireCustodian(lot); err != nil {
		return nil, err
	}
	for _, cert := range lot.Certificates {
		if cert.CertID == certId {
			return nil, newError("CERTIFICATE_ALREADY_ANCHORED", Params{"certificate": certId, "lot": lotId})
		}
	}
	lot.Certificates = append(lot.Certificates, Certificate{
		CertID: certId, CertType: certType, Issuer: issuer, SHA256: sha256Hex,
		ValidFrom: validFrom, ValidUntil: validUntil, AnchoredBy: t.msp, TxID: t.txID, Timestamp: t.now,
	})
	t.touch(lot)
	ev := t.newEvent(EventCertificateAnchored, lotId)
	ev.CertID = certId
	ev.CertType = certType
	ev.Issuer = issuer
	ev.SHA256 = sha256Hex
	ev.ValidFrom = validFrom
	ev.ValidUntil = validUntil
	if err := t.saveAndPublish(lot, ev); err != nil {
		return nil, err
	}
	return lot, nil
}

// VerifyCertificate compares sha256Hex with the anchored hash of certId on the lot or,
// failing that, on its nearest ancestor carrying that certificate.
func (c *SmartContract) VerifyCertificate(ctx contractapi.TransactionContextInterface, lotId string, certId string, sha256Hex string) (*CertificateVerification, error) {
	if err := firstError(checkID("lotId", lotId), checkID("certId", certId), checkSHA256("sha256Hex", sha256Hex)); err != nil {
		return nil, err
	}
	stub := ctx.GetStub()
	lot, err := getLot(stub, lotId)
	if err != nil {
		return nil, err
	}
	for hops := 0; ; hops++ {
		for i := range lot.Certificates {
			cert := lot.Certificates[i]
			if cert.CertID == certId {
				return &CertificateVerification{Match: cert.SHA256 == sha256Hex, Certificate: &cert, AnchoredOnLotID: lot.LotID}, nil
			}
		}
		if lot.ParentID == "" || hops >= maxLineageDepth {
			return nil, newError("CERTIFICATE_NOT_FOUND", Params{"certificate": certId, "lot": lotId})
		}
		if lot, err = getLot(stub, lot.ParentID); err != nil {
			return nil, err
		}
	}
}

// ProcessLot records a processing step by the processor holding the lot (status PROCESSED).
func (c *SmartContract) ProcessLot(ctx contractapi.TransactionContextInterface, lotId string, step string, notes string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := firstError(checkID("lotId", lotId), checkOneOf("step", step, ProcessingSteps), checkText("notes", notes, 0, MaxLongText)); err != nil {
		return nil, err
	}
	lot, err := t.workableLotAs(RoleProcessor, lotId, "process")
	if err != nil {
		return nil, err
	}
	lot.Processing = append(lot.Processing, ProcessingStep{Step: step, Notes: notes, Processor: t.msp, TxID: t.txID, Timestamp: t.now})
	if lot.Status != StatusProcessed {
		lot.setStatus(StatusProcessed)
	}
	t.touch(lot)
	ev := t.newEvent(EventLotProcessed, lotId)
	ev.Step = step
	ev.Notes = notes
	ev.Status = lot.Status
	if err := t.saveAndPublish(lot, ev); err != nil {
		return nil, err
	}
	return lot, nil
}

// SplitLot splits part or all of a lot held by the calling processor into child lots,
// childrenJSON being [{"lotId":"...","quantity":n}, ...] (1-100 entries). Children
// are PACKAGED and held by the processor; the parent becomes SPLIT when nothing remains.
func (c *SmartContract) SplitLot(ctx contractapi.TransactionContextInterface, parentId string, childrenJSON string) ([]*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkID("parentId", parentId); err != nil {
		return nil, err
	}
	var children []SplitChild
	if err := decodeStrict("childrenJSON", childrenJSON, &children); err != nil {
		return nil, err
	}
	if len(children) == 0 || len(children) > MaxChildren {
		return nil, newError("CHILDREN_COUNT", Params{"max": MaxChildren, "count": len(children)})
	}
	seen := map[string]bool{}
	total := 0.0
	for i := range children {
		ch := &children[i]
		if err := checkID("child lotId", ch.LotID); err != nil {
			return nil, err
		}
		if ch.LotID == parentId || seen[ch.LotID] {
			return nil, newError("CHILD_LOT_REPEATED", Params{"lot": ch.LotID})
		}
		seen[ch.LotID] = true
		if err := checkLotQuantity("child quantity", ch.Quantity); err != nil {
			return nil, err
		}
		ch.Quantity = roundQuantity(ch.Quantity)
		total = roundQuantity(total + ch.Quantity)
	}
	parent, err := t.workableLotAs(RoleProcessor, parentId, "split")
	if err != nil {
		return nil, err
	}
	if total > parent.RemainingQuantity {
		return nil, newError("CHILDREN_EXCEED_REMAINING", Params{
			"total": total, "unit": parent.Unit, "remaining": parent.RemainingQuantity, "lot": parentId,
		})
	}
	for _, ch := range children {
		exists, err := lotExists(t.stub, ch.LotID)
		if err != nil {
			return nil, err
		}
		if exists {
			return nil, newError("LOT_ALREADY_EXISTS", Params{"lot": ch.LotID})
		}
	}

	parent.RemainingQuantity = roundQuantity(parent.RemainingQuantity - total)
	if parent.RemainingQuantity <= 0 {
		parent.RemainingQuantity = 0
		parent.setStatus(StatusSplit)
	}
	created := make([]*Lot, 0, len(children))
	for _, ch := range children {
		parent.ChildIDs = append(parent.ChildIDs, ch.LotID)
		created = append(created, &Lot{
			LotID:             ch.LotID,
			ProductID:         parent.ProductID,
			Variety:           parent.Variety,
			Quantity:          ch.Quantity,
			RemainingQuantity: ch.Quantity,
			Unit:              parent.Unit,
			OriginMsp:         parent.OriginMsp,
			Farm:              parent.Farm,
			HarvestDate:       parent.HarvestDate,
			Custodian:         t.msp,
			Status:            StatusPackaged,
			ParentID:          parentId,
			CreatedTxID:       t.txID,
			CreatedAt:         t.now,
			UpdatedAt:         t.now,
		})
	}
	t.touch(parent)
	events := make([]*Event, 0, len(created)+1)
	for _, child := range created {
		ev := t.newEvent(EventLotSplit, child.LotID)
		ev.Seq = 1 // a new lot: its list starts here (no read of its event sequence)
		ev.ParentID = parentId
		ev.ProductID = child.ProductID
		ev.Quantity = child.Quantity
		ev.Unit = child.Unit
		ev.Custodian = child.Custodian
		ev.Status = child.Status
		events = append(events, ev)
	}
	parentEvent := t.newEvent(EventLotSplit, parentId)
	parentEvent.Children = children
	parentEvent.RemainingQuantity = parent.RemainingQuantity
	parentEvent.Unit = parent.Unit
	parentEvent.Status = parent.Status
	events = append(events, parentEvent)
	if err := t.stageEvent(parentEvent); err != nil {
		return nil, err
	}
	for _, l := range append([]*Lot{parent}, created...) {
		if err := putLot(t.stub, l); err != nil {
			return nil, err
		}
	}
	for _, ev := range events {
		if err := t.storeEvent(ev); err != nil {
			return nil, err
		}
	}
	if err := t.emit(parentEvent); err != nil {
		return nil, err
	}
	return created, nil
}
