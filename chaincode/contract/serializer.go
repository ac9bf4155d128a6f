package contract

import (
	"reflect"

	"github.com/hyperledger/fabric-contract-api-go/v2/metadata"
	"github.com/hyperledger/fabric-contract-api-go/v2/serializer"
)

// unvalidatedSerializer converts arguments and return values exactly as contract-api-go's
// JSONSerializer does, but skips its JSON-schema validation of each value against the metadata.
//
// That validation (gojsonschema) was about half of the chaincode server's CPU per transaction
// (BenchmarkHarvestLot: 374 µs with it; see docs/performance.md) and adds no check here: every
// parameter is a string, float64 or int, which the conversion already enforces, the contract
// validates every argument itself (validate.go) and non-finite numbers are refused by the
// wrapper, and return values are the contract's own structs. The unit tests run with the
// validation on (schemaValidation), so every answer they see is still checked against the schema.
type unvalidatedSerializer struct {
	serializer.JSONSerializer
}

// schemaValidation keeps contract-api-go's validating serializer (the unit tests set it).
var schemaValidation = false

func (s *unvalidatedSerializer) FromString(param string, fieldType reflect.Type, _ *metadata.ParameterMetadata,
	components *metadata.ComponentMetadata) (reflect.Value, error) {
	return s.JSONSerializer.FromString(param, fieldType, nil, components)
}

func (s *unvalidatedSerializer) ToString(result reflect.Value, resultType reflect.Type, _ *metadata.ReturnMetadata,
	components *metadata.ComponentMetadata) (string, error) {
	return s.JSONSerializer.ToString(result, resultType, nil, components)
}
