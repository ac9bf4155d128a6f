package contract

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// caUser is a Fabric CA style client: hf.* attributes in every certificate, plus an optional role.
func caUser(t *testing.T, msp, name, role string) *identity {
	attrs := map[string]string{"hf.EnrollmentID": name, "hf.Type": "client", "hf.Affiliation": ""}
	if role != "" {
		attrs[AttrRole] = role
	}
	return newIdentity(t, msp, name, []string{"client"}, attrs)
}

func quarantinedFarmLot(e *env, lotID string) {
	e.harvest(lotID, "100")
	e.ok(ids.farm, "RecordTemperature", lotID, "20", "cold room failed")
	require.Equal(e.t, StatusQuarantined, e.getLot(lotID).Status)
}

func TestReleaseQuarantineNeedsInspectorAttribute(t *testing.T) {
	e := newEnv(t)
	e.setup()
	inspector := caUser(t, "FarmMSP", "alice", "inspector")
	consumer := caUser(t, "FarmMSP", "carol", "consumer")
	plain := caUser(t, "FarmMSP", "dave", "")
	both := caUser(t, "FarmMSP", "User1", "inspector+recall-manager")
	caAdmin := newIdentity(t, "FarmMSP", "Admin", []string{"admin"}, map[string]string{"hf.EnrollmentID": "Admin", "hf.Type": "admin"})

	quarantinedFarmLot(e, "LOT-1")
	msg := e.fail(consumer, CodeForbidden, "ReleaseQuarantine", "LOT-1", "looks fine")
	require.Contains(t, msg, `"key":"ATTRIBUTE_REQUIRED"`)
	require.Contains(t, msg, "role=inspector")
	e.fail(plain, CodeForbidden, "ReleaseQuarantine", "LOT-1", "looks fine")
	require.Equal(t, StatusQuarantined, e.getLot("LOT-1").Status, "a refused release changes nothing")
	e.ok(inspector, "ReleaseQuarantine", "LOT-1", "inspected")

	// the app user (both roles), a CA-issued admin and a cryptogen user (no attributes) keep the right
	for i, who := range []*identity{both, caAdmin, ids.farm} {
		lotID := []string{"LOT-2", "LOT-3", "LOT-4"}[i]
		quarantinedFarmLot(e, lotID)
		e.ok(who, "ReleaseQuarantine", lotID, "inspected")
	}
	// the attribute never replaces custody: an inspector of another org is still refused
	quarantinedFarmLot(e, "LOT-5")
	e.fail(caUser(t, "ProcessorMSP", "paul", "inspector"), CodeNotCustodian, "ReleaseQuarantine", "LOT-5", "x")
}

func TestRecallNeedsRecallManagerAttribute(t *testing.T) {
	e := newEnv(t)
	e.setup()
	e.harvest("LOT-1", "100")
	msg := e.fail(caUser(t, "FarmMSP", "alice", "inspector"), CodeForbidden, "RecallLot", "LOT-1", "salmonella")
	require.Contains(t, msg, "role=recall-manager")
	require.Equal(t, StatusHarvested, e.getLot("LOT-1").Status)
	e.ok(caUser(t, "FarmMSP", "rita", "recall-manager"), "RecallLot", "LOT-1", "salmonella")
	require.Equal(t, StatusRecalled, e.getLot("LOT-1").Status)

	e.harvest("LOT-2", "10")
	e.ok(ids.farm, "RecallLot", "LOT-2", "cryptogen identities keep the org rule")
	// the org rule still applies to a recall manager of an org without the right
	e.harvest("LOT-3", "10")
	e.fail(caUser(t, "RetailerMSP", "rob", "recall-manager"), CodeForbidden, "RecallLot", "LOT-3", "x")
}
