package contract

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// MetadataFunction is the fully qualified name of the metadata query.
const MetadataFunction = contractapi.SystemContractName + ":GetMetadata"

// Chaincode wraps the contractapi chaincode to
//   - answer org.hyperledger.fabric:GetMetadata with the metadata file (real
//     parameter names) wherever the binary runs: contract-api-go v2.2.0 only looks
//     for META-INF/ or contract-metadata/metadata.json next to the executable;
//   - give every error the structured wire form of errors.go ("CODE: text {json}"),
//     including the argument conversion and routing errors produced by contractapi itself;
//   - reject NaN / ±Inf for float parameters before contractapi sees them:
//     contract-api-go v2.2.0 panics (and the process dies) when it schema-validates
//     a NaN, because gojsonschema cannot encode it and the error is ignored.
type Chaincode struct {
	inner       shim.Chaincode
	metadata    []byte
	floatParams map[string][]int
}

// NewChaincode builds the chaincode. metadataJSON (the contents of
// contract-metadata/metadata.json) may be empty, in which case the metadata
// reflected by contractapi is served.
func NewChaincode(metadataJSON []byte) (*Chaincode, error) {
	if len(metadataJSON) > 0 {
		var probe struct {
			Contracts map[string]json.RawMessage `json:"contracts"`
		}
		if err := json.Unmarshal(metadataJSON, &probe); err != nil || probe.Contracts[ContractName] == nil {
			return nil, fmt.Errorf("metadata file is not valid contract metadata for %q", ContractName)
		}
	}
	cc, err := contractapi.NewChaincode(New())
	if err != nil {
		return nil, err
	}
	if !schemaValidation {
		cc.TransactionSerializer = &unvalidatedSerializer{}
	}
	return &Chaincode{inner: cc, metadata: metadataJSON, floatParams: floatParameters()}, nil
}

// floatParameters maps each transaction to the indexes of its float64 parameters.
func floatParameters() map[string][]int {
	out := map[string][]int{}
	typ := reflect.TypeOf(&SmartContract{})
	for i := 0; i < typ.NumMethod(); i++ {
		m := typ.Method(i)
		if _, ok := ParameterNames[m.Name]; !ok {
			continue
		}
		for in := 2; in < m.Type.NumIn(); in++ { // skip receiver and ctx
			if m.Type.In(in).Kind() == reflect.Float64 {
				out[m.Name] = append(out[m.Name], in-2)
			}
		}
	}
	return out
}

// transactionName returns the contract transaction addressed by fn, as contractapi
// routes it (optional "provenance:" namespace, first letter upper-cased).
func transactionName(fn string) string {
	if i := strings.LastIndex(fn, ":"); i >= 0 {
		if fn[:i] != ContractName {
			return ""
		}
		fn = fn[i+1:]
	}
	runes := []rune(fn)
	if len(runes) == 0 {
		return ""
	}
	return string(unicode.ToUpper(runes[0])) + string(runes[1:])
}

// checkFloatArgs rejects non-finite numbers for float parameters.
func (c *Chaincode) checkFloatArgs(fn string, params []string) *peer.Response {
	name := transactionName(fn)
	for _, idx := range c.floatParams[name] {
		if idx >= len(params) {
			continue
		}
		// contract-api-go converts an empty argument to 0 (DefineProduct(id, name, "", "1")
		// defined a band from 0 °C): an empty number is refused here, by name.
		if strings.TrimSpace(params[idx]) == "" {
			return shim.Error(newError("PARAMETER_EMPTY_NUMBER", Params{"parameter": ParameterNames[name][idx]}).Error())
		}
		v, err := strconv.ParseFloat(params[idx], 64)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			return shim.Error(newError("PARAMETER_NOT_FINITE", Params{"parameter": ParameterNames[name][idx]}).Error())
		}
	}
	return nil
}

// Init implements shim.Chaincode.
func (c *Chaincode) Init(stub shim.ChaincodeStubInterface) *peer.Response {
	return normalizeResponse(stub, c.inner.Init(stub))
}

// Invoke implements shim.Chaincode.
func (c *Chaincode) Invoke(stub shim.ChaincodeStubInterface) *peer.Response {
	fn, params := stub.GetFunctionAndParameters()
	if fn == MetadataFunction && len(c.metadata) > 0 {
		return shim.Success(c.metadata)
	}
	if resp := c.checkFloatArgs(fn, params); resp != nil {
		return resp
	}
	return normalizeResponse(stub, c.inner.Invoke(stub))
}

var paramRef = regexp.MustCompile(`parameter ?param(\d+)`)

// normalizeResponse turns errors that do not come from the contract (unknown
// function, wrong argument count or type) into INVALID_ARGUMENT errors with the key
// CALL_REJECTED, after replacing contractapi's paramN with the real parameter name.
func normalizeResponse(stub shim.ChaincodeStubInterface, resp *peer.Response) *peer.Response {
	if resp.GetStatus() < shim.ERRORTHRESHOLD || HasCodePrefix(resp.GetMessage()) {
		return resp
	}
	fn, _ := stub.GetFunctionAndParameters()
	names := ParameterNames[transactionName(fn)]
	// contractapi echoes the caller's raw argument or function name, which may be invalid UTF-8: a
	// protobuf string must be valid UTF-8, and the English text must read as the JSON parameter does.
	msg := strings.ToValidUTF8(resp.GetMessage(), "\uFFFD")
	msg = paramRef.ReplaceAllStringFunc(msg, func(m string) string {
		i, _ := strconv.Atoi(paramRef.FindStringSubmatch(m)[1])
		if i < len(names) {
			return "parameter " + names[i]
		}
		return m
	})
	return shim.Error(newError("CALL_REJECTED", Params{"detail": msg}).Error())
}
