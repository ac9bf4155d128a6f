package contract

import (
	"reflect"
	"strings"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// TimestampLayout is RFC3339 in UTC with fixed millisecond precision, so that
// timestamps sort lexically and parse in every client (same as JS toISOString).
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// txn bundles what every transaction needs: the stub, the caller and the
// deterministic transaction id and timestamp.
type txn struct {
	stub     shim.ChaincodeStubInterface
	identity cid.ClientIdentity
	msp      string
	txID     string
	now      string
}

func newTxn(ctx contractapi.TransactionContextInterface) (*txn, error) {
	stub := ctx.GetStub()
	identity := ctx.GetClientIdentity()
	if isNil(identity) {
		return nil, newError("CALLER_IDENTITY_UNKNOWN", nil)
	}
	msp, err := identity.GetMSPID()
	if err != nil || msp == "" {
		return nil, newError("CALLER_MSP_UNKNOWN", nil)
	}
	ts, err := stub.GetTxTimestamp()
	if err != nil {
		return nil, ledgerError("GetTxTimestamp", err)
	}
	return &txn{
		stub:     stub,
		identity: identity,
		msp:      msp,
		txID:     stub.GetTxID(),
		now:      formatTime(ts.AsTime()),
	}, nil
}

func formatTime(t time.Time) string {
	return t.UTC().Format(TimestampLayout)
}

// isNil catches both a nil interface and an interface holding a nil pointer
// (contractapi stores a nil *cid.ClientID when the creator cannot be parsed).
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Ptr && rv.IsNil()
}

// isAdmin reports whether the caller is an admin identity: a certificate OU of
// "admin" (cryptogen / Fabric CA NodeOUs) or the Fabric CA attribute hf.Type=admin.
func (t *txn) isAdmin() bool {
	if v, ok, err := t.identity.GetAttributeValue("hf.Type"); err == nil && ok && strings.EqualFold(v, "admin") {
		return true
	}
	cert, err := t.identity.GetX509Certificate()
	if err != nil || cert == nil {
		return false
	}
	for _, ou := range cert.Subject.OrganizationalUnit {
		if strings.EqualFold(ou, "admin") {
			return true
		}
	}
	return false
}
