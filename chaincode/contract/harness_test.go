package contract

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// identity is a test caller with a real X.509 certificate, so that contractapi's
// own cid.New(stub) parses it exactly as on a peer.
type identity struct {
	msp     string
	name    string
	creator []byte
}

var certSerial int64

func newIdentity(t *testing.T, mspID, name string, ous []string, attrs map[string]string) *identity {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	certSerial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(certSerial),
		Subject:      pkix.Name{CommonName: name, Organization: []string{mspID}, OrganizationalUnit: ous},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	if attrs != nil {
		value, err := json.Marshal(map[string]any{"attrs": attrs})
		require.NoError(t, err)
		tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 1}, Value: value}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	creator, err := proto.Marshal(&msp.SerializedIdentity{Mspid: mspID, IdBytes: certPEM})
	require.NoError(t, err)
	return &identity{msp: mspID, name: name, creator: creator}
}

// Shared identities (certificate generation is the slow part of set-up).
var ids struct {
	farm, farmAdmin, proc, procAdmin, retail, retailAdmin, carrier, carrierAdmin, caAdmin *identity
}

func identities(t *testing.T) {
	if ids.farm != nil {
		return
	}
	ids.farm = newIdentity(t, "FarmMSP", "User1@farm", []string{"client"}, nil)
	ids.farmAdmin = newIdentity(t, "FarmMSP", "Admin@farm", []string{"admin"}, nil)
	ids.proc = newIdentity(t, "ProcessorMSP", "User1@processor", []string{"client"}, nil)
	ids.procAdmin = newIdentity(t, "ProcessorMSP", "Admin@processor", []string{"admin"}, nil)
	ids.retail = newIdentity(t, "RetailerMSP", "User1@retailer", []string{"client"}, nil)
	ids.retailAdmin = newIdentity(t, "RetailerMSP", "Admin@retailer", []string{"admin"}, nil)
	ids.carrier = newIdentity(t, "CarrierMSP", "User1@carrier", []string{"client"}, nil)
	ids.carrierAdmin = newIdentity(t, "CarrierMSP", "Admin@carrier", []string{"admin"}, nil)
	// a Fabric CA style admin: OU client but attribute hf.Type=admin
	ids.caAdmin = newIdentity(t, "RetailerMSP", "caadmin", []string{"client"}, map[string]string{"hf.Type": "admin"})
}

type env struct {
	t    *testing.T
	stub *fakeStub
	cc   *Chaincode
}

func newEnv(t *testing.T) *env {
	t.Helper()
	identities(t)
	cc, err := NewChaincode(nil)
	require.NoError(t, err)
	return &env{t: t, stub: newFakeStub(), cc: cc}
}

func isEvaluate(fn string) bool {
	return containsString(evaluateTransactions, transactionName(fn))
}

// invoke runs one transaction through the full chaincode (contractapi routing,
// argument conversion, return serialisation and schema validation).
func (e *env) invoke(id *identity, transient map[string][]byte, fn string, args ...string) *peer.Response {
	argv := [][]byte{[]byte(fn)}
	for _, a := range args {
		argv = append(argv, []byte(a))
	}
	e.stub.begin(argv, id.creator)
	for k, v := range transient {
		e.stub.transient[k] = v
	}
	return e.cc.Invoke(e.stub)
}

// ok runs a transaction that must succeed, checks the event discipline and commits.
func (e *env) ok(id *identity, fn string, args ...string) []byte {
	e.t.Helper()
	return e.okT(id, nil, fn, args...)
}

func (e *env) okT(id *identity, transient map[string][]byte, fn string, args ...string) []byte {
	e.t.Helper()
	resp := e.invoke(id, transient, fn, args...)
	require.Equal(e.t, int32(200), resp.Status, "%s(%v) failed: %s", fn, args, resp.Message)
	if isEvaluate(fn) {
		require.False(e.t, e.stub.wrote(), "%s is evaluate-only but wrote state or events", fn)
	} else {
		require.Len(e.t, e.stub.events, 1, "%s must emit exactly one chaincode event", fn)
		var payload map[string]any
		require.NoError(e.t, json.Unmarshal(e.stub.events[0].payload, &payload))
		require.Equal(e.t, id.msp, payload["actor"])
		require.Equal(e.t, e.stub.txID, payload["txId"])
		require.Equal(e.t, formatTime(e.stub.ts), payload["timestamp"])
		require.Equal(e.t, e.stub.events[0].name, payload["name"])
		e.stub.commit()
		e.checkIndexes()
	}
	return resp.Payload
}

// fail runs a transaction that must fail with code and must not have written anything.
func (e *env) fail(id *identity, code Code, fn string, args ...string) string {
	e.t.Helper()
	return e.failT(id, nil, code, fn, args...)
}

func (e *env) failT(id *identity, transient map[string][]byte, code Code, fn string, args ...string) string {
	e.t.Helper()
	resp := e.invoke(id, transient, fn, args...)
	require.NotEqual(e.t, int32(200), resp.Status, "%s(%v) unexpectedly succeeded", fn, args)
	require.True(e.t, strings.HasPrefix(resp.Message, string(code)+": "), "%s(%v): want %s, got %q", fn, args, code, resp.Message)
	requireWireError(e.t, resp.Message, code, "")
	require.False(e.t, e.stub.wrote(), "%s failed with %q but wrote state or events", fn, resp.Message)
	return resp.Message
}

func (e *env) lastEvent() (string, map[string]any) {
	require.Len(e.t, e.stub.events, 1)
	var payload map[string]any
	require.NoError(e.t, json.Unmarshal(e.stub.events[0].payload, &payload))
	return e.stub.events[0].name, payload
}

func decode[T any](t *testing.T, data []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(data, &v), string(data))
	return v
}

func (e *env) getLot(id string) Lot {
	e.t.Helper()
	return decode[Lot](e.t, e.ok(ids.farm, "GetLot", id))
}

// checkIndexes verifies the custodian and status indexes against the lots.
func (e *env) checkIndexes() {
	e.t.Helper()
	want := []string{}
	got := []string{}
	for k, v := range e.stub.state {
		switch {
		case strings.HasPrefix(k, compositeKey(objLot)):
			var lot Lot
			require.NoError(e.t, json.Unmarshal(v, &lot))
			want = append(want, custodianIndexKey(lot.Custodian, lot.LotID), statusIndexKey(lot.Status, lot.LotID))
		case strings.HasPrefix(k, compositeKey(objCustodianIdx)), strings.HasPrefix(k, compositeKey(objStatusIdx)):
			got = append(got, k)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	require.Equal(e.t, want, got, "indexes out of step with lots")
}

// ---- scenario helpers ----

const (
	hashA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	hashB = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
)

func (e *env) initRoles() {
	e.ok(ids.farm, "InitRoles", `{"FarmMSP":["grower"],"ProcessorMSP":["processor"],"RetailerMSP":["retailer"],"CarrierMSP":["carrier"]}`)
}

func (e *env) setup() {
	e.initRoles()
	e.ok(ids.farm, "DefineProduct", "tomato", "Tomatoes", "2", "8")
}

func (e *env) harvest(lotID string, qty string) {
	e.ok(ids.farm, "HarvestLot", lotID, "tomato", "Roma", qty, "kg", "Green Valley Farm", "Valley Rd 1", "P-7", "2025-05-30")
}

// toProcessor ships a farm lot to the processor and accepts it.
func (e *env) toProcessor(lotID string) {
	e.ok(ids.farm, "ProposeTransfer", lotID, "ProcessorMSP", "Cold Express", "TRK-1", "farm->plant")
	e.ok(ids.proc, "AcceptTransfer", lotID)
}

func (e *env) toRetailer(lotID string) {
	e.ok(ids.proc, "ProposeTransfer", lotID, "RetailerMSP", "Cold Express", "TRK-2", "plant->store")
	e.ok(ids.retail, "AcceptTransfer", lotID)
}

// contextFor builds a transaction context for direct calls with a fake identity.
func (e *env) contextFor(id *fakeIdentity) contractapi.TransactionContextInterface {
	e.stub.begin(nil, nil)
	ctx := new(contractapi.TransactionContext)
	ctx.SetStub(e.stub)
	if id != nil {
		ctx.SetClientIdentity(id)
	}
	return ctx
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return data
}
