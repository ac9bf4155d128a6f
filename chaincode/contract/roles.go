package contract

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Roles an MSP can hold. Roles are ledger data, managed by InitRoles/GrantRole/RevokeRole.
const (
	RoleGrower    = "grower"
	RoleProcessor = "processor"
	RoleRetailer  = "retailer"
	RoleCarrier   = "carrier"
)

// AllRoles lists the valid roles.
var AllRoles = []string{RoleGrower, RoleProcessor, RoleRetailer, RoleCarrier}

const maxRoleMsps = 64

// allRoleAssignments returns msp -> sorted roles for every MSP holding a role.
func allRoleAssignments(stub shim.ChaincodeStubInterface) (map[string][]string, error) {
	out := map[string][]string{}
	err := iterate(stub, objRole, nil, func(_ string, value []byte) error {
		var rec roleRecord
		if err := json.Unmarshal(value, &rec); err != nil {
			return newError("CORRUPT_ROLE_RECORD", Params{"error": err})
		}
		out[rec.MspID] = rec.Roles
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rolesOf returns the sorted roles held by msp (empty when none).
func rolesOf(stub shim.ChaincodeStubInterface, msp string) ([]string, error) {
	var rec roleRecord
	found, err := getJSON(stub, roleKey(msp), &rec)
	if err != nil {
		return nil, err
	}
	if !found {
		return []string{}, nil
	}
	return rec.Roles, nil
}

func containsString(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// callerHasRole reports whether the caller's MSP holds any of roles.
func (t *txn) callerHasRole(roles ...string) (bool, error) {
	held, err := rolesOf(t.stub, t.msp)
	if err != nil {
		return false, err
	}
	for _, r := range roles {
		if containsString(held, r) {
			return true, nil
		}
	}
	return false, nil
}

// requireRole fails with FORBIDDEN unless the caller's MSP holds one of roles.
func (t *txn) requireRole(roles ...string) error {
	ok, err := t.callerHasRole(roles...)
	if err != nil {
		return err
	}
	if !ok {
		return newError("ROLE_REQUIRED", Params{"msp": t.msp, "roles": strings.Join(roles, " or ")})
	}
	return nil
}

func putRoles(stub shim.ChaincodeStubInterface, msp string, roles []string) error {
	if len(roles) == 0 {
		return delState(stub, roleKey(msp))
	}
	return putJSON(stub, roleKey(msp), roleRecord{MspID: msp, Roles: roles})
}

// InitRoles stores the initial MSP -> roles assignment, e.g.
// {"FarmMSP":["grower"],"ProcessorMSP":["processor"],"RetailerMSP":["retailer"]}.
// Any member may call it, once: it fails with ALREADY_EXISTS when roles exist.
func (c *SmartContract) InitRoles(ctx contractapi.TransactionContextInterface, rolesJSON string) (map[string][]string, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	var in map[string][]string
	if err := decodeStrict("rolesJSON", rolesJSON, &in); err != nil {
		return nil, err
	}
	if len(in) == 0 || len(in) > maxRoleMsps {
		return nil, newError("ROLES_COUNT", Params{"max": maxRoleMsps})
	}
	msps := make([]string, 0, len(in))
	for msp := range in {
		msps = append(msps, msp)
	}
	sort.Strings(msps)
	clean := map[string][]string{}
	for _, msp := range msps {
		if err := checkID("mspId", msp); err != nil {
			return nil, err
		}
		roles, err := cleanRoles(msp, in[msp])
		if err != nil {
			return nil, err
		}
		clean[msp] = roles
	}
	existing, err := allRoleAssignments(t.stub)
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return nil, newError("ROLES_ALREADY_INITIALISED", nil)
	}
	for _, msp := range msps {
		if err := putRoles(t.stub, msp, clean[msp]); err != nil {
			return nil, err
		}
	}
	ev := t.newEvent(EventRolesInitialized, "")
	ev.Roles = clean
	if err := t.emit(ev); err != nil {
		return nil, err
	}
	return clean, nil
}

// cleanRoles validates, de-duplicates and sorts a role list.
func cleanRoles(msp string, roles []string) ([]string, error) {
	if len(roles) == 0 {
		return nil, newError("ROLES_EMPTY", Params{"msp": msp})
	}
	set := []string{}
	for _, r := range roles {
		if err := checkOneOf("role", r, AllRoles); err != nil {
			return nil, err
		}
		if !containsString(set, r) {
			set = append(set, r)
		}
	}
	sort.Strings(set)
	return set, nil
}

// requireRoleAdmin checks that the caller is an admin identity of an MSP that holds a role.
func (t *txn) requireRoleAdmin() error {
	if !t.isAdmin() {
		return newError("ROLE_ADMIN_REQUIRED", nil)
	}
	held, err := rolesOf(t.stub, t.msp)
	if err != nil {
		return err
	}
	if len(held) == 0 {
		return newError("ROLE_MANAGER_WITHOUT_ROLE", Params{"msp": t.msp})
	}
	return nil
}

// GrantRole gives role to mspId. The caller must be an admin of an MSP holding a role.
func (c *SmartContract) GrantRole(ctx contractapi.TransactionContextInterface, mspId string, role string) (map[string][]string, error) {
	return c.changeRole(ctx, mspId, role, true)
}

// RevokeRole removes role from mspId. The caller must be an admin of an MSP holding a role.
func (c *SmartContract) RevokeRole(ctx contractapi.TransactionContextInterface, mspId string, role string) (map[string][]string, error) {
	return c.changeRole(ctx, mspId, role, false)
}

func (c *SmartContract) changeRole(ctx contractapi.TransactionContextInterface, msp, role string, grant bool) (map[string][]string, error) {
	t, err := newTxn(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkID("mspId", msp); err != nil {
		return nil, err
	}
	if err := checkOneOf("role", role, AllRoles); err != nil {
		return nil, err
	}
	if err := t.requireRoleAdmin(); err != nil {
		return nil, err
	}
	all, err := allRoleAssignments(t.stub)
	if err != nil {
		return nil, err
	}
	current := all[msp]
	var updated []string
	name := EventRoleGranted
	if grant {
		if containsString(current, role) {
			return nil, newError("ROLE_ALREADY_HELD", Params{"msp": msp, "role": role})
		}
		updated = append(append([]string{}, current...), role)
		sort.Strings(updated)
	} else {
		if !containsString(current, role) {
			return nil, newError("ROLE_NOT_HELD", Params{"msp": msp, "role": role})
		}
		name = EventRoleRevoked
		updated = []string{}
		for _, r := range current {
			if r != role {
				updated = append(updated, r)
			}
		}
	}
	if err := putRoles(t.stub, msp, updated); err != nil {
		return nil, err
	}
	if len(updated) == 0 {
		delete(all, msp)
	} else {
		all[msp] = updated
	}
	ev := t.newEvent(name, "")
	ev.MspID = msp
	ev.Role = role
	if err := t.emit(ev); err != nil {
		return nil, err
	}
	return all, nil
}

// GetRoles returns every MSP with its sorted roles.
func (c *SmartContract) GetRoles(ctx contractapi.TransactionContextInterface) (map[string][]string, error) {
	return allRoleAssignments(ctx.GetStub())
}
