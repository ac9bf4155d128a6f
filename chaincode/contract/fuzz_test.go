package contract

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// Native Go fuzz targets (`go test -fuzz=FuzzX`, see chaincode/README.md). Each target runs the whole
// operation through the chaincode wrapper and the fake stub, not only a parser, and checks:
//   - no panic (the engine reports one as a failure);
//   - a rejected call returns a structured contract error with a known code and key, and changes no
//     world state, private data or history, and emits no event;
//   - an accepted call leaves state that reads back with the values the caller gave.
//
// The seed corpus in testdata/fuzz/<FuzzName>/ is replayed by plain `go test`, so every input the
// fuzzer once found interesting stays a regression test.

// worldSnapshot is a deep copy of everything a transaction could change on the fake stub.
type worldSnapshot struct {
	state   map[string][]byte
	private map[string]map[string][]byte
	history map[string]int
}

func snapshotWorld(s *fakeStub) worldSnapshot {
	w := worldSnapshot{state: map[string][]byte{}, private: map[string]map[string][]byte{}, history: map[string]int{}}
	for k, v := range s.state {
		w.state[k] = bytes.Clone(v)
	}
	for coll, kv := range s.private {
		w.private[coll] = map[string][]byte{}
		for k, v := range kv {
			w.private[coll][k] = bytes.Clone(v)
		}
	}
	for k, mods := range s.history {
		w.history[k] = len(mods)
	}
	return w
}

// cloneStub copies the committed world of s into a fresh stub, so each fuzz iteration starts from
// the same state without paying for the set-up transactions again.
func cloneStub(s *fakeStub) *fakeStub {
	c := newFakeStub()
	w := snapshotWorld(s)
	c.state, c.private = w.state, w.private
	for k, mods := range s.history {
		c.history[k] = append(c.history[k], mods...)
	}
	c.txCount, c.ts = s.txCount, s.ts
	return c
}

// fuzzWorld builds the starting world of a fuzz target once (set-up is the slow part) and hands
// every iteration its own copy.
type fuzzWorld struct {
	build func(e *env)
	base  *fakeStub
	cc    *Chaincode
}

func (w *fuzzWorld) env(t *testing.T) *env {
	t.Helper()
	if w.base == nil {
		e := newEnv(t)
		w.build(e)
		w.base, w.cc = e.stub, e.cc
	}
	identities(t)
	return &env{t: t, stub: cloneStub(w.base), cc: w.cc}
}

// try runs one submit transaction and checks the rejected-or-accepted properties above. It returns
// whether the transaction was accepted (and then committed).
func (e *env) try(id *identity, transient map[string][]byte, fn string, args ...string) bool {
	e.t.Helper()
	before := snapshotWorld(e.stub)
	resp := e.invoke(id, transient, fn, args...)
	// the shim sends the response as protobuf, which refuses strings that are not valid UTF-8
	_, err := proto.Marshal(resp)
	require.NoError(e.t, err, "%s(%q): the response cannot be sent to the peer", fn, args)
	if resp.Status == 200 {
		require.Len(e.t, e.stub.events, 1, "%s must emit exactly one chaincode event", fn)
		e.stub.commit()
		e.checkIndexes()
		return true
	}
	code, text, key, params, ok := parseWireError(resp.Message)
	require.True(e.t, ok, "%s(%q): not a structured error: %q", fn, args, resp.Message)
	m, known := messages[key]
	require.True(e.t, known, "%s(%q): unknown key in %q", fn, args, resp.Message)
	require.Equal(e.t, m.code, code, "the code of %s", key)
	require.Equal(e.t, render(m.template, params), text, resp.Message)
	require.False(e.t, e.stub.wrote(), "%s failed with %q but staged writes or events", fn, resp.Message)
	e.stub.commit() // apply whatever was staged, as a (wrong) peer would: nothing may change
	require.Equal(e.t, before, snapshotWorld(e.stub), "%s failed with %q but changed the world state", fn, resp.Message)
	return false
}

// finiteArg parses a float argument as contractapi does (strconv.ParseFloat).
func finiteArg(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// farmWorld: roles, the tomato product (2..8 °C) and LOT-1 harvested by the farm.
func farmWorld(e *env) {
	e.setup()
	e.harvest("LOT-1", "100")
}

// processorWorld: LOT-1 (100 kg) held by the processor, ready to split or price.
func processorWorld(e *env) {
	farmWorld(e)
	e.toProcessor("LOT-1")
}

func FuzzHarvestLot(f *testing.F) {
	f.Add("LOT-2", "Roma", "12.5", "kg", "Green Valley Farm", "Valley Rd 1", "P-7", "2025-05-30")
	f.Add("LOT-1", "Roma", "1", "kg", "Farm", "", "", "2025-05-30") // already exists
	f.Add("L", "", "1e9", "t", "F", "", "", "2024-02-29")
	f.Add("LOT-3", "Roma", "NaN", "kg", "Farm", "", "", "2025-05-30")
	f.Add("LOT-3", "Roma", "-Inf", "kg", "Farm", "", "", "2025-05-30")
	f.Add("LOT-3", "Roma", "0.0000001", "kg", "Farm", "", "", "2025-05-30") // rounds to 0
	f.Add("../../etc", "Roma", "1", "kg", "Farm", "", "", "2025-05-30")
	f.Add("LOT-4", "<script>alert(1)</script>", "1", "kg", "Farm\x00", "", "", "2025-05-30")
	f.Add("LOT-5", "Roma", "1", "kg", "Farm", "", "", "2025-02-30")
	f.Add("LOT-6", "\xff\xfe", "1", "kg", "   ", "", "", "2025-5-30")
	w := &fuzzWorld{build: farmWorld}
	f.Fuzz(func(t *testing.T, lotID, variety, quantity, unit, farmName, farmLocation, plot, harvestDate string) {
		e := w.env(t)
		if !e.try(ids.farm, nil, "HarvestLot", lotID, "tomato", variety, quantity, unit, farmName, farmLocation, plot, harvestDate) {
			return
		}
		q, finite := finiteArg(quantity)
		require.True(t, finite, "accepted a non-finite quantity %q", quantity)
		lot := e.getLot(lotID)
		require.Equal(t, roundQuantity(q), lot.Quantity)
		require.Greater(t, lot.Quantity, 0.0, "accepted quantity %q that is stored as 0", quantity)
		require.LessOrEqual(t, lot.Quantity, float64(MaxQuantity))
		require.Equal(t, lot.Quantity, lot.RemainingQuantity)
		require.Equal(t, Farm{Name: farmName, Location: farmLocation, Plot: plot}, lot.Farm)
		require.Equal(t, []string{variety, unit, harvestDate, "FarmMSP", StatusHarvested},
			[]string{lot.Variety, lot.Unit, lot.HarvestDate, lot.Custodian, lot.Status})
	})
}

func FuzzDefineProduct(f *testing.F) {
	f.Add("pear", "Pears", "0", "4")
	f.Add("pear", "Pears", "4", "4")
	f.Add("pear", "Pears", "NaN", "4")
	f.Add("pear", "Pears", "-100", "+Inf")
	f.Add("pear", "Pears", "-100.000001", "100")
	f.Add("tomato", "Again", "1", "2")
	f.Add("p\u00e9ar", "Pears", "1", "2")
	f.Add("pear", "\u202eevil", "0x1p-2", "1e2")
	w := &fuzzWorld{build: func(e *env) { e.setup() }}
	f.Fuzz(func(t *testing.T, productID, name, minTemp, maxTemp string) {
		e := w.env(t)
		if !e.try(ids.farm, nil, "DefineProduct", productID, name, minTemp, maxTemp) {
			return
		}
		lo, okLo := finiteArg(minTemp)
		hi, okHi := finiteArg(maxTemp)
		require.True(t, okLo && okHi, "accepted non-finite temperatures %q %q", minTemp, maxTemp)
		p := decode[Product](t, e.ok(ids.retail, "GetProduct", productID))
		require.Equal(t, Product{ProductID: productID, Name: name, MinTempC: lo, MaxTempC: hi, DefinedBy: "FarmMSP",
			CreatedTxID: p.CreatedTxID, CreatedAt: p.CreatedAt}, p)
		require.True(t, MinTempC <= lo && lo < hi && hi <= MaxTempC, "band %v..%v", lo, hi)
	})
}

func FuzzReadings(f *testing.F) {
	f.Add("LOT-1", "48.1", "11.5", "5", "Munich", "on time")
	f.Add("LOT-1", "NaN", "0", "Inf", "", "")
	f.Add("LOT-1", "90.0000001", "-180", "-100", "", "")
	f.Add("LOT-1", "0", "0", "42", "hot\ttruck", "line\nbreak")
	f.Add("NOPE", "0", "0", "5", "", "")
	f.Add("LOT-1", "1e308", "-1e308", "1e-320", "\x7f", "\u0000")
	w := &fuzzWorld{build: farmWorld}
	f.Fuzz(func(t *testing.T, lotID, latitude, longitude, celsius, location, note string) {
		e := w.env(t)
		if e.try(ids.farm, nil, "RecordCheckpoint", lotID, latitude, longitude, location, note) {
			lat, okLat := finiteArg(latitude)
			lon, okLon := finiteArg(longitude)
			require.True(t, okLat && okLon && math.Abs(lat) <= 90 && math.Abs(lon) <= 180, "accepted %q %q", latitude, longitude)
			require.Equal(t, StatusHarvested, e.getLot(lotID).Status)
		}
		if e.try(ids.farm, nil, "RecordTemperature", lotID, celsius, location) {
			c, ok := finiteArg(celsius)
			require.True(t, ok && c >= MinTempC && c <= MaxTempC, "accepted %q", celsius)
			want := StatusHarvested
			if c < 2 || c > 8 { // outside the tomato band of farmWorld
				want = StatusQuarantined
			}
			require.Equal(t, want, e.getLot(lotID).Status)
		}
	})
}

func FuzzSplitLot(f *testing.F) {
	f.Add(`[{"lotId":"C-1","quantity":40},{"lotId":"C-2","quantity":60}]`)
	f.Add(`[{"lotId":"C-1","quantity":100.0000001}]`)
	f.Add(`[{"lotId":"C-1","quantity":0.0000001}]`)
	f.Add(`[{"lotId":"C-1","quantity":1e999}]`)
	f.Add(`[{"lotId":"C-1","quantity":"NaN"}]`)
	f.Add(`[{"lotId":"C-1","quantity":1},{"lotId":"C-1","quantity":1}]`)
	f.Add(`[{"lotId":"LOT-1","quantity":1}]`)
	f.Add(`[{"lotId":"C-1","quantity":1,"price":5}]`)
	f.Add(`[{"LOTID":"C-1","Quantity":1}]`)
	f.Add(`[{"lotId":"C-1","quantity":1}] []`)
	f.Add(`[]`)
	f.Add(`null`)
	f.Add(`{"lotId":"C-1"}`)
	w := &fuzzWorld{build: processorWorld}
	f.Fuzz(func(t *testing.T, childrenJSON string) {
		e := w.env(t)
		if !e.try(ids.proc, nil, "SplitLot", "LOT-1", childrenJSON) {
			return
		}
		var children []SplitChild
		require.NoError(t, json.Unmarshal([]byte(childrenJSON), &children))
		parent := e.getLot("LOT-1")
		total := 0.0
		for i, ch := range children {
			child := e.getLot(ch.LotID)
			require.Equal(t, roundQuantity(ch.Quantity), child.Quantity)
			require.Greater(t, child.Quantity, 0.0, "accepted child quantity %v that is stored as 0", ch.Quantity)
			require.Equal(t, []string{"LOT-1", "ProcessorMSP", StatusPackaged}, []string{child.ParentID, child.Custodian, child.Status})
			require.Equal(t, ch.LotID, parent.ChildIDs[i])
			total = roundQuantity(total + child.Quantity)
		}
		require.Len(t, parent.ChildIDs, len(children))
		require.LessOrEqual(t, total, 100.0)
		require.Equal(t, roundQuantity(100-total), parent.RemainingQuantity)
	})
}

func FuzzSetPrice(f *testing.F) {
	price := `{"buyerMsp":"RetailerMSP","sellerMsp":"ProcessorMSP","unitPrice":2.5,"currency":"EUR","terms":"net 30","salt":"s4lt-s4lt"}`
	f.Add([]byte(price))
	f.Add([]byte(`{"buyerMsp":"RetailerMSP","sellerMsp":"ProcessorMSP","unitPrice":NaN,"currency":"EUR","terms":"","salt":"s4lt-s4lt"}`))
	f.Add([]byte(`{"buyerMsp":"RetailerMSP","sellerMsp":"ProcessorMSP","unitPrice":1e999,"currency":"EUR","terms":"","salt":"s4lt-s4lt"}`))
	f.Add([]byte(`{"buyerMsp":"RetailerMSP","sellerMsp":"ProcessorMSP","unitPrice":"Infinity","currency":"EUR","terms":"","salt":"s4lt-s4lt"}`))
	f.Add([]byte(`{"buyerMsp":"RetailerMSP","sellerMsp":"ProcessorMSP","unitPrice":-1,"currency":"eur","terms":"","salt":"short"}`))
	f.Add([]byte(`{"buyerMsp":"RetailerMSP","sellerMsp":"ProcessorMSP","unitPrice":1,"currency":"EUR","terms":"","salt":"s4lt-s4lt","extra":1}`))
	f.Add([]byte(`{"BUYERMSP":"RetailerMSP","sellerMsp":"ProcessorMSP","unitPrice":1,"currency":"EUR","terms":"","salt":"s4lt-s4lt"}`))
	f.Add([]byte(price + ` {}`))
	f.Add([]byte(`{"buyerMsp":"RetailerMSP","sellerMsp":"ProcessorMSP","unitPrice":1,"unitPrice":2,"currency":"EUR","terms":"","salt":"s4lt-s4lt"}`))
	f.Add([]byte(`{"buyerMsp":"Retailer MSP","sellerMsp":"ProcessorMSP","unitPrice":1,"currency":"EUR","terms":"\u0007","salt":"s4lt-s4lt"}`))
	f.Add([]byte{})
	w := &fuzzWorld{build: processorWorld}
	f.Fuzz(func(t *testing.T, raw []byte) {
		e := w.env(t)
		transient := map[string][]byte{TransientPriceField: raw}
		// the farm never may set a price, whatever the JSON
		e.try(ids.farm, transient, "SetPrice", "LOT-1")
		require.Empty(t, e.stub.private, "the farm's SetPrice wrote private data")
		if !e.try(ids.proc, transient, "SetPrice", "LOT-1") {
			return
		}
		got := decode[PrivatePrice](t, e.ok(ids.retail, "GetPrice", "LOT-1"))
		require.Equal(t, string(raw), got.RawJSON, "the stored price must be the exact bytes given")
		require.Equal(t, sha256Hex(raw), got.Hash)
		require.Equal(t, got.Hash, e.getLot("LOT-1").PriceHash)
		require.True(t, got.UnitPrice > 0 && got.UnitPrice <= MaxQuantity, "unit price %v", got.UnitPrice)
		require.Equal(t, raw, e.stub.private[PriceCollection][priceKey("LOT-1")])
		// the public side holds the hash only
		for k, v := range e.stub.state {
			require.NotContains(t, string(v), string(raw), "public key %q holds the price JSON", k)
		}
		v := decode[PriceVerification](t, e.ok(ids.farm, "VerifyPrice", "LOT-1", string(raw)))
		require.True(t, v.Match)
		e.fail(ids.farm, CodeForbidden, "GetPrice", "LOT-1")
	})
}

func FuzzInitRoles(f *testing.F) {
	f.Add(`{"FarmMSP":["grower"],"ProcessorMSP":["processor"],"RetailerMSP":["retailer"]}`)
	f.Add(`{"FarmMSP":["grower","grower","carrier"]}`)
	f.Add(`{"FarmMSP":[]}`)
	f.Add(`{"FarmMSP":["admin"]}`)
	f.Add(`{"Farm MSP":["grower"]}`)
	f.Add(`{"FarmMSP":null}`)
	f.Add(`{}`)
	f.Add(`[]`)
	f.Add(`{"FarmMSP":["grower"],"FarmMSP":["retailer"]}`)
	f.Add(`{"FarmMSP":["grower"]}garbage`)
	f.Add(`{"\u0000":["grower"]}`)
	w := &fuzzWorld{build: func(*env) {}}
	f.Fuzz(func(t *testing.T, rolesJSON string) {
		e := w.env(t)
		if !e.try(ids.farm, nil, "InitRoles", rolesJSON) {
			return
		}
		var in map[string][]string
		require.NoError(t, json.Unmarshal([]byte(rolesJSON), &in))
		got := decode[map[string][]string](t, e.ok(ids.farm, "GetRoles"))
		require.Len(t, got, len(in))
		for msp, roles := range in {
			want, err := cleanRoles(msp, roles)
			require.NoError(t, err)
			require.Equal(t, want, got[msp], msp)
		}
		// once only
		e.fail(ids.proc, CodeAlreadyExists, "InitRoles", rolesJSON)
	})
}

// TestNonFiniteFloatsRejectedEverywhere is the regression test of the NaN/±Inf guard: every float
// parameter of every transaction, in every spelling strconv.ParseFloat accepts, is refused with
// PARAMETER_NOT_FINITE before contractapi sees it (contract-api-go v2.2.0 panics on a NaN).
func TestNonFiniteFloatsRejectedEverywhere(t *testing.T) {
	e := newEnv(t)
	processorWorld(e)
	cc, err := NewChaincode(nil)
	require.NoError(t, err)
	seen := 0
	for fn, indexes := range cc.floatParams {
		for _, idx := range indexes {
			for _, spelling := range []string{"NaN", "nan", "+Inf", "-Inf", "inf", "Infinity", "-infinity"} {
				args := make([]string, len(ParameterNames[fn]))
				for i := range args {
					args[i] = "1"
				}
				args[0] = "LOT-1"
				args[idx] = spelling
				msg := e.fail(ids.proc, CodeInvalidArgument, fn, args...)
				params := requireWireError(t, msg, CodeInvalidArgument, "PARAMETER_NOT_FINITE")
				require.Equal(t, map[string]string{"parameter": ParameterNames[fn][idx]}, params)
				seen++
			}
		}
	}
	// HarvestLot quantity, DefineProduct min/max, RecordCheckpoint lat/lon, RecordTemperature celsius
	require.Equal(t, 6*7, seen)
}

// Regression (found by FuzzHarvestLot/FuzzSplitLot): a positive quantity below the 6-decimal
// resolution used to create a lot of 0 kg.
func TestLotQuantityRoundingToZeroRejected(t *testing.T) {
	e := newEnv(t)
	processorWorld(e)
	msg := e.fail(ids.farm, CodeInvalidArgument, "HarvestLot", "LOT-2", "tomato", "Roma", "0.0000004", "kg", "Farm", "", "", "2025-05-30")
	require.Equal(t, "0", requireWireError(t, msg, CodeInvalidArgument, "QUANTITY_OUT_OF_RANGE")["value"])
	e.fail(ids.proc, CodeInvalidArgument, "SplitLot", "LOT-1", `[{"lotId":"C-1","quantity":1},{"lotId":"C-2","quantity":1e-9}]`)
	e.harvest("LOT-3", "0.0000005") // rounds up to the smallest storable quantity
	require.Equal(t, 0.000001, e.getLot("LOT-3").Quantity)
}

// Regression (found by FuzzSetPrice): price JSON with invalid UTF-8 was stored and hashed as given,
// but GetPrice's rawJson came back with U+FFFD, so it no longer verified against the ledger hash.
func TestPriceJSONMustBeUTF8(t *testing.T) {
	e := newEnv(t)
	processorWorld(e)
	raw := []byte("{\"buyerMsp\":\"RetailerMSP\",\"sellerMsp\":\"ProcessorMSP\",\"unitPrice\":1,\"currency\":\"EUR\",\"terms\":\"\xff\",\"salt\":\"s4lt-s4lt\"}")
	msg := e.failT(ids.proc, map[string][]byte{TransientPriceField: raw}, CodeInvalidArgument, "SetPrice", "LOT-1")
	require.Equal(t, map[string]string{"field": "transient price"}, requireWireError(t, msg, CodeInvalidArgument, "TEXT_NOT_UTF8"))
}

// Regression (found by FuzzHarvestLot): contractapi's conversion error echoed a raw invalid UTF-8
// argument, so the response could not be marshalled for the peer and its text disagreed with the
// JSON parameters.
func TestCallRejectedWithInvalidUTF8IsSendable(t *testing.T) {
	e := newEnv(t)
	e.setup()
	for _, fn := range []string{"HarvestLot", "Get\xffLot"} {
		resp := e.invoke(ids.farm, nil, fn, "LOT-1", "tomato", "", "\xac", "kg", "Farm", "", "", "2025-05-30")
		_, err := proto.Marshal(resp)
		require.NoError(t, err, resp.Message)
		requireWireError(t, resp.Message, CodeInvalidArgument, "CALL_REJECTED")
		require.Contains(t, resp.Message, "\uFFFD")
	}
}
