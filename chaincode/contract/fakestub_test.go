package contract

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// fakeStub is an in-memory ChaincodeStubInterface with Fabric's transaction
// semantics: reads see committed state only (not the transaction's own writes),
// writes are staged and applied by commit, history is kept per key, and range
// queries over composite keys return keys in sorted order. Methods the contract
// does not use are left to the embedded nil interface (calling them panics).
type fakeStub struct {
	shim.ChaincodeStubInterface

	state   map[string][]byte
	private map[string]map[string][]byte
	history map[string][]*queryresult.KeyModification

	// current transaction
	txID       string
	ts         time.Time
	args       [][]byte
	creator    []byte
	transient  map[string][]byte
	writes     map[string][]byte // nil value = delete
	reads      map[string]bool   // keys read by GetState (the read set MVCC validates)
	privWrites map[string]map[string][]byte
	events     []fakeEvent
	txCount    int

	// fault injection: the failAt-th call (1-based) of operation failOp fails
	failOp string
	failAt int
	calls  map[string]int
}

type fakeEvent struct {
	name    string
	payload []byte
}

func newFakeStub() *fakeStub {
	s := &fakeStub{
		state:   map[string][]byte{},
		private: map[string]map[string][]byte{},
		history: map[string][]*queryresult.KeyModification{},
		ts:      time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC),
	}
	s.begin(nil, nil)
	return s
}

// begin starts a new transaction with the given args and creator.
func (s *fakeStub) begin(args [][]byte, creator []byte) {
	s.txCount++
	s.txID = fmt.Sprintf("tx%04d", s.txCount)
	s.ts = s.ts.Add(time.Minute)
	s.args = args
	s.creator = creator
	s.transient = map[string][]byte{}
	s.writes = map[string][]byte{}
	s.reads = map[string]bool{}
	s.privWrites = map[string]map[string][]byte{}
	s.events = nil
	s.calls = map[string]int{}
}

// commit applies the staged writes, as the peer does for a valid transaction.
func (s *fakeStub) commit() {
	keys := make([]string, 0, len(s.writes))
	for k := range s.writes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := s.writes[k]
		mod := &queryresult.KeyModification{TxId: s.txID, Value: v, Timestamp: timestamppb.New(s.ts), IsDelete: v == nil}
		s.history[k] = append(s.history[k], mod)
		if v == nil {
			delete(s.state, k)
		} else {
			s.state[k] = v
		}
	}
	for coll, kv := range s.privWrites {
		if s.private[coll] == nil {
			s.private[coll] = map[string][]byte{}
		}
		for k, v := range kv {
			s.private[coll][k] = v
		}
	}
	s.writes = map[string][]byte{}
	s.privWrites = map[string]map[string][]byte{}
}

func (s *fakeStub) wrote() bool {
	return len(s.writes) > 0 || len(s.privWrites) > 0 || len(s.events) > 0
}

func (s *fakeStub) fault(op string) error {
	s.calls[op]++
	if s.failOp == op && s.calls[op] == s.failAt {
		return fmt.Errorf("injected %s failure", op)
	}
	return nil
}

func (s *fakeStub) GetTxID() string      { return s.txID }
func (s *fakeStub) GetChannelID() string { return "demo" }
func (s *fakeStub) GetArgs() [][]byte    { return s.args }

func (s *fakeStub) GetStringArgs() []string {
	out := make([]string, 0, len(s.args))
	for _, a := range s.args {
		out = append(out, string(a))
	}
	return out
}

func (s *fakeStub) GetFunctionAndParameters() (string, []string) {
	args := s.GetStringArgs()
	if len(args) == 0 {
		return "", []string{}
	}
	return args[0], args[1:]
}

func (s *fakeStub) GetCreator() ([]byte, error) {
	if err := s.fault("GetCreator"); err != nil {
		return nil, err
	}
	return s.creator, nil
}

func (s *fakeStub) GetTxTimestamp() (*timestamppb.Timestamp, error) {
	if err := s.fault("GetTxTimestamp"); err != nil {
		return nil, err
	}
	return timestamppb.New(s.ts), nil
}

func (s *fakeStub) GetTransient() (map[string][]byte, error) {
	if err := s.fault("GetTransient"); err != nil {
		return nil, err
	}
	return s.transient, nil
}

func (s *fakeStub) GetState(key string) ([]byte, error) {
	if err := s.fault("GetState"); err != nil {
		return nil, err
	}
	s.reads[key] = true
	return s.state[key], nil
}

func (s *fakeStub) PutState(key string, value []byte) error {
	if err := s.fault("PutState"); err != nil {
		return err
	}
	if key == "" {
		return errors.New("key must not be empty")
	}
	if len(value) == 0 {
		return errors.New("value must not be empty")
	}
	s.writes[key] = append([]byte(nil), value...)
	return nil
}

func (s *fakeStub) DelState(key string) error {
	if err := s.fault("DelState"); err != nil {
		return err
	}
	s.writes[key] = nil
	return nil
}

func (s *fakeStub) CreateCompositeKey(objectType string, attributes []string) (string, error) {
	for _, a := range append([]string{objectType}, attributes...) {
		if strings.ContainsRune(a, 0) {
			return "", errors.New("composite key parts must not contain U+0000")
		}
	}
	return compositeKey(objectType, attributes...), nil
}

func (s *fakeStub) SplitCompositeKey(key string) (string, []string, error) {
	if !strings.HasPrefix(key, "\x00") || !strings.HasSuffix(key, "\x00") {
		return "", nil, errors.New("not a composite key")
	}
	parts := strings.Split(key[1:len(key)-1], "\x00")
	return parts[0], parts[1:], nil
}

func (s *fakeStub) GetStateByPartialCompositeKey(objectType string, attributes []string) (shim.StateQueryIteratorInterface, error) {
	if err := s.fault("GetStateByPartialCompositeKey"); err != nil {
		return nil, err
	}
	prefix, err := s.CreateCompositeKey(objectType, attributes)
	if err != nil {
		return nil, err
	}
	keys := []string{}
	for k := range s.state {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	it := &fakeIterator{stub: s}
	for _, k := range keys {
		it.kvs = append(it.kvs, &queryresult.KV{Namespace: "provenance", Key: k, Value: s.state[k]})
	}
	return it, nil
}

// GetStateByPartialCompositeKeyWithPagination pages as the peer does: the bookmark is the key
// the page starts at, and the metadata gives the next page's first key ("" when none is left).
func (s *fakeStub) GetStateByPartialCompositeKeyWithPagination(objectType string, attributes []string, pageSize int32,
	bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	if err := s.fault("GetStateByPartialCompositeKeyWithPagination"); err != nil {
		return nil, nil, err
	}
	all, err := s.GetStateByPartialCompositeKey(objectType, attributes)
	if err != nil {
		return nil, nil, err
	}
	kvs := all.(*fakeIterator).kvs
	start := sort.Search(len(kvs), func(i int) bool { return kvs[i].Key >= bookmark })
	end := min(start+int(pageSize), len(kvs))
	next := ""
	if end < len(kvs) {
		next = kvs[end].Key
	}
	page := &fakeIterator{stub: s, kvs: kvs[start:end]}
	return page, &peer.QueryResponseMetadata{FetchedRecordsCount: int32(end - start), Bookmark: next}, nil
}

func (s *fakeStub) GetHistoryForKey(key string) (shim.HistoryQueryIteratorInterface, error) {
	if err := s.fault("GetHistoryForKey"); err != nil {
		return nil, err
	}
	return &fakeHistoryIterator{stub: s, mods: append([]*queryresult.KeyModification(nil), s.history[key]...)}, nil
}

func (s *fakeStub) GetPrivateData(collection, key string) ([]byte, error) {
	if err := s.fault("GetPrivateData"); err != nil {
		return nil, err
	}
	return s.private[collection][key], nil
}

func (s *fakeStub) PutPrivateData(collection, key string, value []byte) error {
	if err := s.fault("PutPrivateData"); err != nil {
		return err
	}
	if s.privWrites[collection] == nil {
		s.privWrites[collection] = map[string][]byte{}
	}
	s.privWrites[collection][key] = append([]byte(nil), value...)
	return nil
}

func (s *fakeStub) SetEvent(name string, payload []byte) error {
	if err := s.fault("SetEvent"); err != nil {
		return err
	}
	if name == "" {
		return errors.New("event name must not be empty")
	}
	s.events = append(s.events, fakeEvent{name: name, payload: payload})
	return nil
}

type fakeIterator struct {
	stub *fakeStub
	kvs  []*queryresult.KV
	i    int
}

func (it *fakeIterator) HasNext() bool { return it.i < len(it.kvs) }
func (it *fakeIterator) Close() error  { return nil }

func (it *fakeIterator) Next() (*queryresult.KV, error) {
	if err := it.stub.fault("Next"); err != nil {
		return nil, err
	}
	if !it.HasNext() {
		return nil, errors.New("iterator exhausted")
	}
	kv := it.kvs[it.i]
	it.i++
	return kv, nil
}

type fakeHistoryIterator struct {
	stub *fakeStub
	mods []*queryresult.KeyModification
	i    int
}

func (it *fakeHistoryIterator) HasNext() bool { return it.i < len(it.mods) }
func (it *fakeHistoryIterator) Close() error  { return nil }

func (it *fakeHistoryIterator) Next() (*queryresult.KeyModification, error) {
	if err := it.stub.fault("Next"); err != nil {
		return nil, err
	}
	if !it.HasNext() {
		return nil, errors.New("iterator exhausted")
	}
	m := it.mods[it.i]
	it.i++
	return m, nil
}

// fakeIdentity is a cid.ClientIdentity with a fixed MSP id, attributes and OUs.
type fakeIdentity struct {
	msp    string
	name   string
	ous    []string
	attrs  map[string]string
	mspErr error
	noCert bool
}

func (f *fakeIdentity) GetID() (string, error) {
	return "x509::CN=" + f.name + "::CN=ca." + f.msp, nil
}

func (f *fakeIdentity) GetMSPID() (string, error) { return f.msp, f.mspErr }

func (f *fakeIdentity) GetAttributeValue(name string) (string, bool, error) {
	v, ok := f.attrs[name]
	return v, ok, nil
}

func (f *fakeIdentity) AssertAttributeValue(name, value string) error {
	if v, ok := f.attrs[name]; !ok || v != value {
		return fmt.Errorf("attribute %s is not %s", name, value)
	}
	return nil
}

func (f *fakeIdentity) GetX509Certificate() (*x509.Certificate, error) {
	if f.noCert {
		return nil, nil
	}
	return &x509.Certificate{Subject: pkix.Name{CommonName: f.name, OrganizationalUnit: f.ous}}, nil
}
