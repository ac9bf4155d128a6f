package contract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWrapperNormalisesLibraryErrors(t *testing.T) {
	e := newEnv(t)
	e.setup()
	msg := e.fail(ids.farm, CodeInvalidArgument, "NoSuchFunction")
	require.Contains(t, msg, "NoSuchFunction")
	detail := strings.TrimPrefix(strings.SplitN(msg, ` {"key":`, 2)[0], "INVALID_ARGUMENT: ")
	require.Equal(t, requireWireError(t, msg, CodeInvalidArgument, "CALL_REJECTED"), map[string]string{"detail": detail})
	e.fail(ids.farm, CodeInvalidArgument, "other:GetLot", "x")
	e.fail(ids.farm, CodeInvalidArgument, "")
	msg = e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", "Pears", "cold", "4")
	require.Contains(t, msg, "parameter minTempC")
	require.NotContains(t, msg, "param2")
	msg = e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear")
	require.Contains(t, msg, "incorrect number of params")

	// NaN would crash contractapi v2.2.0; the wrapper rejects it first, whatever the spelling
	for _, fn := range []string{"RecordTemperature", "recordTemperature", "provenance:RecordTemperature"} {
		msg = e.fail(ids.farm, CodeInvalidArgument, fn, "LOT-1", "NaN", "")
		require.Equal(t, `INVALID_ARGUMENT: parameter celsius must be a finite number {"key":"PARAMETER_NOT_FINITE","params":{"parameter":"celsius"}}`, msg)
	}
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", "Pears", "0", "-Inf")
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", "Pears", "0") // too few args, not a crash

	// lower-case first letter and explicit namespace route like contractapi does
	e.ok(ids.farm, "getProduct", "tomato")
	e.ok(ids.farm, "provenance:GetProduct", "tomato")

	require.Equal(t, "", transactionName("other:GetLot"))
	require.Equal(t, "", transactionName("provenance:"))
	require.Equal(t, "GetLot", transactionName("getLot"))
}

func TestWrapperInit(t *testing.T) {
	e := newEnv(t)
	e.stub.begin(nil, ids.farm.creator)
	resp := e.cc.Init(e.stub)
	require.Equal(t, int32(200), resp.Status)
	e.stub.begin([][]byte{[]byte("Nope")}, ids.farm.creator)
	resp = e.cc.Init(e.stub)
	require.True(t, strings.HasPrefix(resp.Message, "INVALID_ARGUMENT: "), resp.Message)
}

func TestFloatParameters(t *testing.T) {
	fp := floatParameters()
	require.Equal(t, []int{2, 3}, fp["DefineProduct"])
	require.Equal(t, []int{3}, fp["HarvestLot"])
	require.Equal(t, []int{1, 2}, fp["RecordCheckpoint"])
	require.Equal(t, []int{1}, fp["RecordTemperature"])
	require.Len(t, fp, 4)
}

func TestValidationHelpers(t *testing.T) {
	require.NoError(t, checkText("t", "line1\nline2\ttab\r", 1, 20))
	require.Error(t, checkText("t", "bell\a", 0, 20))
	require.Error(t, checkText("t", "\U0010FFFF", 0, 20))
	require.NoError(t, checkText("t", "ünïcödé", 7, 7))
	require.Error(t, checkText("t", "ünïcödé!", 0, 7))
	require.Equal(t, 0.3, roundQuantity(0.1+0.2))
	require.Equal(t, 1e9, roundQuantity(1e9))
	require.Equal(t, "short", truncate("short"))
	require.Len(t, truncate(strings.Repeat("x", 200)), 83)
	require.Equal(t, "c", lastAttr(custodianIndexKey("b", "c")))
	var v []int
	require.NoError(t, decodeStrict("x", "[1, 2] ", &v))
	require.Error(t, decodeStrict("x", "[1] [2]", &v))
	require.Error(t, decodeStrict("x", "[1]]", &v))
}
