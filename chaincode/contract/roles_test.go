package contract

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInitRoles(t *testing.T) {
	e := newEnv(t)
	for _, bad := range []string{
		``, `not json`, `{}`, `[]`, `{"FarmMSP":["grower"]} extra`, `{"FarmMSP":[]}`,
		`{"Farm MSP":["grower"]}`, `{"FarmMSP":["farmer"]}`, `{"FarmMSP":"grower"}`,
	} {
		e.fail(ids.farm, CodeInvalidArgument, "InitRoles", bad)
	}
	got := decode[map[string][]string](t, e.ok(ids.retail, "InitRoles", `{"ProcessorMSP":["processor"],"FarmMSP":["grower","carrier","grower"]}`))
	require.Equal(t, map[string][]string{"FarmMSP": {"carrier", "grower"}, "ProcessorMSP": {"processor"}}, got)
	name, payload := e.lastEvent()
	require.Equal(t, EventRolesInitialized, name)
	require.NotContains(t, payload, "lotId")
	require.Equal(t, map[string]any{"FarmMSP": []any{"carrier", "grower"}, "ProcessorMSP": []any{"processor"}}, payload["roles"])
	e.fail(ids.farm, CodeAlreadyExists, "InitRoles", `{"RetailerMSP":["retailer"]}`)
	require.Equal(t, got, decode[map[string][]string](t, e.ok(ids.farm, "GetRoles")))
}

func TestGetRolesEmpty(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, "{}", string(e.ok(ids.farm, "GetRoles")))
}

func TestGrantAndRevokeRole(t *testing.T) {
	e := newEnv(t)
	// nobody holds a role yet: even an admin cannot grant
	e.fail(ids.farmAdmin, CodeForbidden, "GrantRole", "CarrierMSP", "carrier")
	e.ok(ids.farm, "InitRoles", `{"FarmMSP":["grower"],"ProcessorMSP":["processor"],"RetailerMSP":["retailer"]}`)

	e.fail(ids.farm, CodeForbidden, "GrantRole", "CarrierMSP", "carrier")         // not an admin
	e.fail(ids.carrierAdmin, CodeForbidden, "GrantRole", "CarrierMSP", "carrier") // admin of an MSP without role
	e.fail(ids.farmAdmin, CodeInvalidArgument, "GrantRole", "Carrier MSP", "carrier")
	e.fail(ids.farmAdmin, CodeInvalidArgument, "GrantRole", "CarrierMSP", "driver")
	e.fail(ids.farmAdmin, CodeAlreadyExists, "GrantRole", "FarmMSP", "grower")

	roles := decode[map[string][]string](t, e.ok(ids.farmAdmin, "GrantRole", "CarrierMSP", "carrier"))
	require.Equal(t, []string{"carrier"}, roles["CarrierMSP"])
	name, payload := e.lastEvent()
	require.Equal(t, EventRoleGranted, name)
	require.Equal(t, "CarrierMSP", payload["mspId"])
	require.Equal(t, "carrier", payload["role"])

	// Fabric CA style admin (hf.Type=admin attribute)
	roles = decode[map[string][]string](t, e.ok(ids.caAdmin, "GrantRole", "RetailerMSP", "carrier"))
	require.Equal(t, []string{"carrier", "retailer"}, roles["RetailerMSP"])

	e.fail(ids.procAdmin, CodeNotFound, "RevokeRole", "CarrierMSP", "grower")
	e.fail(ids.proc, CodeForbidden, "RevokeRole", "CarrierMSP", "carrier")
	roles = decode[map[string][]string](t, e.ok(ids.procAdmin, "RevokeRole", "RetailerMSP", "carrier"))
	require.Equal(t, []string{"retailer"}, roles["RetailerMSP"])
	name, _ = e.lastEvent()
	require.Equal(t, EventRoleRevoked, name)

	// revoking the last role removes the MSP
	roles = decode[map[string][]string](t, e.ok(ids.procAdmin, "RevokeRole", "CarrierMSP", "carrier"))
	require.NotContains(t, roles, "CarrierMSP")
	require.NotContains(t, decode[map[string][]string](t, e.ok(ids.farm, "GetRoles")), "CarrierMSP")
}
