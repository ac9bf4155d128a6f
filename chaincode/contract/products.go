package contract

import (
	"encoding/json"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// DefineProduct registers a product and its cold-chain range [minTempC, maxTempC].
// Growers and processors may define products.
func (c *SmartContract) DefineProduct(ctx contractapi.TransactionContextInterface, productId string, name string, minTempC float64, maxTempC float64) (*Product, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkID("productId", productId); err != nil {
		return nil, err
	}
	if err := checkText("name", name, 1, MaxShortText); err != nil {
		return nil, err
	}
	if err := checkRange("minTempC", minTempC, MinTempC, MaxTempC); err != nil {
		return nil, err
	}
	if err := checkRange("maxTempC", maxTempC, MinTempC, MaxTempC); err != nil {
		return nil, err
	}
	if minTempC >= maxTempC {
		return nil, newError("TEMPERATURE_BAND_INVALID", Params{"min": minTempC, "max": maxTempC})
	}
	if err := t.requireRole(RoleGrower, RoleProcessor); err != nil {
		return nil, err
	}
	var existing Product
	found, err := getJSON(t.stub, productKey(productId), &existing)
	if err != nil {
		return nil, err
	}
	if found {
		return nil, newError("PRODUCT_ALREADY_EXISTS", Params{"product": productId})
	}
	p := &Product{
		ProductID:   productId,
		Name:        name,
		MinTempC:    minTempC,
		MaxTempC:    maxTempC,
		DefinedBy:   t.msp,
		CreatedTxID: t.txID,
		CreatedAt:   t.now,
	}
	if err := putJSON(t.stub, productKey(productId), p); err != nil {
		return nil, err
	}
	ev := t.newEvent(EventProductDefined, "")
	ev.ProductID = productId
	ev.ProductName = name
	ev.MinTempC = minTempC
	ev.MaxTempC = maxTempC
	if err := t.emit(ev); err != nil {
		return nil, err
	}
	return p, nil
}

// GetProduct returns one product.
func (c *SmartContract) GetProduct(ctx contractapi.TransactionContextInterface, productId string) (*Product, error) {
	if err := checkID("productId", productId); err != nil {
		return nil, err
	}
	return getProduct(ctx.GetStub(), productId)
}

// ListProducts returns every product sorted by id.
func (c *SmartContract) ListProducts(ctx contractapi.TransactionContextInterface) ([]*Product, error) {
	products := []*Product{}
	err := iterate(ctx.GetStub(), objProduct, nil, func(_ string, value []byte) error {
		p := &Product{}
		if err := json.Unmarshal(value, p); err != nil {
			return newError("CORRUPT_PRODUCT_RECORD", Params{"error": err})
		}
		products = append(products, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return products, nil
}

// AssignGTIN gives a product its GS1 GTIN (stored as GTIN-14), once. A GTIN names one product
// only (gtin~gtin14 -> productId). Growers and processors may assign GTINs, as they define products.
func (c *SmartContract) AssignGTIN(ctx contractapi.TransactionContextInterface, productId string, gtin string) (*Product, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkID("productId", productId); err != nil {
		return nil, err
	}
	code, err := gtin14(gtin)
	if err != nil {
		return nil, err
	}
	if err := t.requireRole(RoleGrower, RoleProcessor); err != nil {
		return nil, err
	}
	p, err := getProduct(t.stub, productId)
	if err != nil {
		return nil, err
	}
	if p.GTIN != "" {
		return nil, newError("PRODUCT_GTIN_ALREADY_SET", Params{"product": productId, "gtin": p.GTIN})
	}
	index := compositeKey(objGTIN, code)
	owner, err := t.stub.GetState(index)
	if err != nil {
		return nil, ledgerError("GetState", err)
	}
	if len(owner) > 0 {
		return nil, newError("GTIN_ALREADY_ASSIGNED", Params{"gtin": code, "product": string(owner)})
	}
	p.GTIN = code
	if err := putJSON(t.stub, productKey(productId), p); err != nil {
		return nil, err
	}
	if err := t.stub.PutState(index, []byte(productId)); err != nil {
		return nil, ledgerError("PutState", err)
	}
	ev := t.newEvent(EventProductDefined, "")
	ev.ProductID = productId
	ev.ProductName = p.Name
	ev.MinTempC = p.MinTempC
	ev.MaxTempC = p.MaxTempC
	ev.Note = "GTIN " + code
	if err := t.emit(ev); err != nil {
		return nil, err
	}
	return p, nil
}
