package contract

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// TransientPriceField is the transient map field read by SetPrice.
const TransientPriceField = "price"

const (
	minSaltLength = 8
	maxSaltLength = 128
)

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// validatePriceTerms checks the confidential price JSON.
func validatePriceTerms(raw []byte) error {
	// encoding/json would decode invalid UTF-8 as U+FFFD, so the fields would pass their checks
	// while the stored bytes (and their hash) keep the invalid bytes; GetPrice's rawJson (JSON
	// encoded, hence U+FFFD again) would then no longer hash to the ledger's priceHash.
	if !utf8.Valid(raw) {
		return newError("TEXT_NOT_UTF8", Params{"field": "transient price"})
	}
	var p PriceTerms
	if err := decodeStrict("transient price", string(raw), &p); err != nil {
		return err
	}
	return firstError(
		checkID("buyerMsp", p.BuyerMsp),
		checkID("sellerMsp", p.SellerMsp),
		checkQuantity("unitPrice", p.UnitPrice),
		func() error {
			if !currencyPattern.MatchString(p.Currency) {
				return newError("CURRENCY_INVALID", nil)
			}
			return nil
		}(),
		checkText("terms", p.Terms, 0, MaxLongText),
		checkText("salt", p.Salt, minSaltLength, maxSaltLength),
	)
}

// SetPrice stores the confidential price agreement for a lot. The JSON
// {"buyerMsp","sellerMsp","unitPrice","currency","terms","salt"} is passed in the
// transient field "price", written as-is to the processorRetailerPrices private
// collection; only its SHA-256 (hex, of the exact bytes) goes to public state.
func (c *SmartContract) SetPrice(ctx contractapi.TransactionContextInterface, lotId string) (*Lot, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkID("lotId", lotId); err != nil {
		return nil, err
	}
	transient, err := t.stub.GetTransient()
	if err != nil {
		return nil, ledgerError("GetTransient", err)
	}
	raw := transient[TransientPriceField]
	if len(raw) == 0 {
		return nil, newError("PRICE_NOT_IN_TRANSIENT", Params{"field": TransientPriceField})
	}
	if err := validatePriceTerms(raw); err != nil {
		return nil, err
	}
	if err := t.requireRole(RoleProcessor, RoleRetailer); err != nil {
		return nil, err
	}
	lot, err := getLot(t.stub, lotId)
	if err != nil {
		return nil, err
	}
	hash := sha256Hex(raw)
	lot.PriceHash = hash
	t.touch(lot)
	ev := t.newEvent(EventPriceRecorded, lotId)
	ev.PriceHash = hash
	if err := t.stageEvent(ev); err != nil {
		return nil, err
	}
	if err := t.stub.PutPrivateData(PriceCollection, priceKey(lotId), raw); err != nil {
		return nil, ledgerError("PutPrivateData", err)
	}
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

// GetPrice returns the confidential price of a lot, with the exact stored JSON
// (rawJson) and its hash. Only processor and retailer MSPs may read it.
func (c *SmartContract) GetPrice(ctx contractapi.TransactionContextInterface, lotId string) (*PrivatePrice, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkID("lotId", lotId); err != nil {
		return nil, err
	}
	if err := t.requireRole(RoleProcessor, RoleRetailer); err != nil {
		return nil, err
	}
	if _, err := getLot(t.stub, lotId); err != nil {
		return nil, err
	}
	raw, err := t.stub.GetPrivateData(PriceCollection, priceKey(lotId))
	if err != nil {
		return nil, ledgerError("GetPrivateData", err)
	}
	if len(raw) == 0 {
		return nil, newError("PRICE_NOT_FOUND", Params{"lot": lotId})
	}
	var p PriceTerms
	if err := decodeStrict("stored price", string(raw), &p); err != nil {
		return nil, newError("CORRUPT_PRICE_RECORD", Params{"lot": lotId})
	}
	return &PrivatePrice{
		LotID: lotId, BuyerMsp: p.BuyerMsp, SellerMsp: p.SellerMsp, UnitPrice: p.UnitPrice,
		Currency: p.Currency, Terms: p.Terms, Salt: p.Salt, Hash: sha256Hex(raw), RawJSON: string(raw),
	}, nil
}

// VerifyPrice tells anyone whether disclosedJSON is exactly the price JSON whose
// hash is on the ledger for the lot.
func (c *SmartContract) VerifyPrice(ctx contractapi.TransactionContextInterface, lotId string, disclosedJSON string) (*PriceVerification, error) {
	if err := checkID("lotId", lotId); err != nil {
		return nil, err
	}
	if len(disclosedJSON) == 0 || len(disclosedJSON) > MaxJSONBytes {
		return nil, newError("DISCLOSED_JSON_SIZE", Params{"max": MaxJSONBytes})
	}
	lot, err := getLot(ctx.GetStub(), lotId)
	if err != nil {
		return nil, err
	}
	if lot.PriceHash == "" {
		return nil, newError("PRICE_NOT_FOUND", Params{"lot": lotId})
	}
	disclosed := sha256Hex([]byte(disclosedJSON))
	return &PriceVerification{Match: disclosed == lot.PriceHash, Hash: lot.PriceHash, DisclosedHash: disclosed}, nil
}
