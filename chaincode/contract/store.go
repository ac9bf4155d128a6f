package contract

import (
	"encoding/json"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// getJSON reads key into v; it reports false when the key does not exist.
func getJSON(stub shim.ChaincodeStubInterface, key string, v any) (bool, error) {
	data, err := stub.GetState(key)
	if err != nil {
		return false, ledgerError("GetState", err)
	}
	if len(data) == 0 {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, newError("CORRUPT_LEDGER_RECORD", Params{"error": err})
	}
	return true, nil
}

// putJSON marshals v (structs only, so the encoding is deterministic) under key.
func putJSON(stub shim.ChaincodeStubInterface, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return newError("CANNOT_ENCODE_RECORD", Params{"error": err})
	}
	if err := stub.PutState(key, data); err != nil {
		return ledgerError("PutState", err)
	}
	return nil
}

func putIndex(stub shim.ChaincodeStubInterface, key string) error {
	if err := stub.PutState(key, indexValue); err != nil {
		return ledgerError("PutState", err)
	}
	return nil
}

func delState(stub shim.ChaincodeStubInterface, key string) error {
	if err := stub.DelState(key); err != nil {
		return ledgerError("DelState", err)
	}
	return nil
}

// iterate visits every key/value under a partial composite key, in key order.
func iterate(stub shim.ChaincodeStubInterface, objectType string, attrs []string, visit func(key string, value []byte) error) error {
	it, err := stub.GetStateByPartialCompositeKey(objectType, attrs)
	if err != nil {
		return ledgerError("GetStateByPartialCompositeKey", err)
	}
	defer it.Close()
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return ledgerError("iterator Next", err)
		}
		if err := visit(kv.Key, kv.Value); err != nil {
			return err
		}
	}
	return nil
}

// getLot loads a lot or fails with NOT_FOUND.
func getLot(stub shim.ChaincodeStubInterface, lotID string) (*Lot, error) {
	lot := &Lot{}
	found, err := getJSON(stub, lotKey(lotID), lot)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, newError("LOT_NOT_FOUND", Params{"lot": lotID})
	}
	lot.normalize()
	lot.storedCustodian = lot.Custodian
	lot.storedStatus = lot.Status
	return lot, nil
}

func lotExists(stub shim.ChaincodeStubInterface, lotID string) (bool, error) {
	data, err := stub.GetState(lotKey(lotID))
	if err != nil {
		return false, ledgerError("GetState", err)
	}
	return len(data) > 0, nil
}

// putLot writes a lot and keeps the custodian and status indexes in step.
func putLot(stub shim.ChaincodeStubInterface, lot *Lot) error {
	lot.normalize()
	if err := putJSON(stub, lotKey(lot.LotID), lot); err != nil {
		return err
	}
	if lot.storedCustodian != lot.Custodian {
		if lot.storedCustodian != "" {
			if err := delState(stub, custodianIndexKey(lot.storedCustodian, lot.LotID)); err != nil {
				return err
			}
		}
		if err := putIndex(stub, custodianIndexKey(lot.Custodian, lot.LotID)); err != nil {
			return err
		}
	}
	if lot.storedStatus != lot.Status {
		if lot.storedStatus != "" {
			if err := delState(stub, statusIndexKey(lot.storedStatus, lot.LotID)); err != nil {
				return err
			}
		}
		if err := putIndex(stub, statusIndexKey(lot.Status, lot.LotID)); err != nil {
			return err
		}
	}
	lot.storedCustodian = lot.Custodian
	lot.storedStatus = lot.Status
	return nil
}

// getProduct loads a product or fails with NOT_FOUND.
func getProduct(stub shim.ChaincodeStubInterface, productID string) (*Product, error) {
	p := &Product{}
	found, err := getJSON(stub, productKey(productID), p)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, newError("PRODUCT_NOT_FOUND", Params{"product": productID})
	}
	return p, nil
}

// lotsFromIndex loads every lot listed under an index prefix (key order = lot id order).
func lotsFromIndex(stub shim.ChaincodeStubInterface, index string, attrs []string) ([]*Lot, error) {
	var ids []string
	err := iterate(stub, index, attrs, func(key string, _ []byte) error {
		ids = append(ids, lastAttr(key))
		return nil
	})
	if err != nil {
		return nil, err
	}
	lots := make([]*Lot, 0, len(ids))
	for _, id := range ids {
		lot, err := getLot(stub, id)
		if err != nil {
			return nil, err
		}
		lots = append(lots, lot)
	}
	return lots, nil
}
