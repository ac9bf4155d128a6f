package contract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDefineProduct(t *testing.T) {
	e := newEnv(t)
	e.initRoles()
	p := decode[Product](t, e.ok(ids.proc, "DefineProduct", "lettuce", "Lettuce", "0", "4.5"))
	require.Equal(t, Product{ProductID: "lettuce", Name: "Lettuce", MinTempC: 0, MaxTempC: 4.5, DefinedBy: "ProcessorMSP",
		CreatedTxID: e.stub.txID, CreatedAt: formatTime(e.stub.ts)}, p)
	name, payload := e.lastEvent()
	require.Equal(t, EventProductDefined, name)
	require.Equal(t, 0.0, payload["minTempC"])
	require.Equal(t, 4.5, payload["maxTempC"])
	require.Equal(t, "lettuce", payload["productId"])

	e.ok(ids.farm, "DefineProduct", "apple", "Apples", "-1", "4")
	e.fail(ids.retail, CodeForbidden, "DefineProduct", "pear", "Pears", "0", "4")
	e.fail(ids.carrier, CodeForbidden, "DefineProduct", "pear", "Pears", "0", "4")
	e.fail(ids.farm, CodeAlreadyExists, "DefineProduct", "apple", "Apples", "0", "4")
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", "Pears", "4", "4")
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", "Pears", "5", "4")
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", "Pears", "-101", "4")
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", "Pears", "0", "100.5")
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", "Pears", "NaN", "4")
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", "", "0", "4")
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", "   ", "0", "4")
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", strings.Repeat("x", 129), "0", "4")
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pe ar", "Pears", "0", "4")
	e.fail(ids.farm, CodeInvalidArgument, "DefineProduct", "pear", "Pears", "zero", "4")

	got := decode[Product](t, e.ok(ids.retail, "GetProduct", "apple"))
	require.Equal(t, -1.0, got.MinTempC)
	e.fail(ids.retail, CodeNotFound, "GetProduct", "pear")
	e.fail(ids.retail, CodeInvalidArgument, "GetProduct", "")

	list := decode[[]Product](t, e.ok(ids.retail, "ListProducts"))
	require.Len(t, list, 2)
	require.Equal(t, "apple", list[0].ProductID)
	require.Equal(t, "lettuce", list[1].ProductID)
}

func TestListProductsEmpty(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, "[]", string(e.ok(ids.farm, "ListProducts")))
}
