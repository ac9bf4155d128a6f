package contract

import "strings"

// Attribute-based access (Fabric CA identities, IDENTITIES=ca).
//
// A Fabric CA puts attributes into the enrollment certificates it issues; the contract reads them with
// the client identity's GetAttributeValue. The "role" attribute holds one or more person roles
// joined by "+" (for example "inspector" or "inspector+recall-manager"):
//
//	inspector       may release a lot from quarantine
//	recall-manager  may recall a lot
//	consumer, auditor  (room-mode guests) may do neither
//
// The rule, and why it keeps cryptogen networks working: the check applies only to a certificate
// issued by a Fabric CA, recognised by the hf.EnrollmentID attribute that Fabric CA writes into
// every enrollment certificate. A cryptogen certificate carries no attributes at all, so there the
// org's ledger role (and custody) decide alone, exactly as before. An org admin (NodeOU admin)
// keeps both rights on either kind of network. The org-level checks (custodian, ledger roles) apply
// in every case; the attribute check comes on top of them.
const (
	AttrRole              = "role"
	AttrRoleInspector     = "inspector"
	AttrRoleRecallManager = "recall-manager"
	attrEnrollmentID      = "hf.EnrollmentID"
)

// fromFabricCA reports whether the caller's certificate was issued by a Fabric CA (it has attributes).
func (t *txn) fromFabricCA() (string, bool) {
	id, ok, err := t.identity.GetAttributeValue(attrEnrollmentID)
	return id, err == nil && ok
}

// callerHasAttrRole reports whether the caller's certificate carries role among its "role" attribute.
func (t *txn) callerHasAttrRole(role string) bool {
	value, ok, err := t.identity.GetAttributeValue(AttrRole)
	if err != nil || !ok {
		return false
	}
	for _, held := range strings.Split(value, "+") {
		if strings.TrimSpace(held) == role {
			return true
		}
	}
	return false
}

// requireAttrRole fails with ATTRIBUTE_REQUIRED when the caller holds a Fabric CA certificate that is
// neither an admin's nor carries role in its "role" attribute (see the rule above).
func (t *txn) requireAttrRole(role, action string) error {
	user, fromCA := t.fromFabricCA()
	if !fromCA || t.isAdmin() || t.callerHasAttrRole(role) {
		return nil
	}
	return newError("ATTRIBUTE_REQUIRED", Params{"user": user, "msp": t.msp, "action": action, "attribute": AttrRole + "=" + role})
}
