package contract

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCallerIdentityRequired(t *testing.T) {
	e := newEnv(t)
	c := New()

	_, err := c.InitRoles(e.contextFor(nil), `{"FarmMSP":["grower"]}`)
	require.Equal(t, CodeForbidden, CodeOf(err))

	_, err = c.InitRoles(e.contextFor(&fakeIdentity{msp: "FarmMSP", mspErr: errors.New("no msp")}), `{"FarmMSP":["grower"]}`)
	require.Equal(t, CodeForbidden, CodeOf(err))

	_, err = c.InitRoles(e.contextFor(&fakeIdentity{msp: ""}), `{"FarmMSP":["grower"]}`)
	require.Equal(t, CodeForbidden, CodeOf(err))

	// through the chaincode: an unparsable creator yields a nil *cid.ClientID in contractapi
	e.stub.begin([][]byte{[]byte("InitRoles"), []byte(`{"FarmMSP":["grower"]}`)}, []byte("garbage"))
	resp := e.cc.Invoke(e.stub)
	require.Equal(t, `FORBIDDEN: cannot determine the caller identity {"key":"CALLER_IDENTITY_UNKNOWN","params":{}}`, resp.Message)
	require.False(t, e.stub.wrote())
}

func TestAdminDetection(t *testing.T) {
	e := newEnv(t)
	ctx := e.contextFor(nil)
	mk := func(id *fakeIdentity) *txn {
		return &txn{stub: ctx.GetStub(), identity: id, msp: id.msp}
	}
	require.True(t, mk(&fakeIdentity{msp: "A", ous: []string{"client", "Admin"}}).isAdmin())
	require.True(t, mk(&fakeIdentity{msp: "A", attrs: map[string]string{"hf.Type": "admin"}}).isAdmin())
	require.False(t, mk(&fakeIdentity{msp: "A", attrs: map[string]string{"hf.Type": "client"}, ous: []string{"client"}}).isAdmin())
	require.False(t, mk(&fakeIdentity{msp: "A", noCert: true}).isAdmin())
	require.False(t, mk(&fakeIdentity{msp: "A", ous: []string{"peer"}}).isAdmin())

	// direct contract calls with a fake identity: grant as an admin
	c := New()
	admin := &fakeIdentity{msp: "FarmMSP", name: "Admin@farm", ous: []string{"admin"}}
	_, err := c.InitRoles(e.contextFor(admin), `{"FarmMSP":["grower"]}`)
	require.NoError(t, err)
	e.stub.commit()
	roles, err := c.GrantRole(e.contextFor(admin), "CarrierMSP", "carrier")
	require.NoError(t, err)
	require.Equal(t, []string{"carrier"}, roles["CarrierMSP"])
	_, err = c.GrantRole(e.contextFor(&fakeIdentity{msp: "FarmMSP", ous: []string{"client"}}), "CarrierMSP", "grower")
	require.Equal(t, CodeForbidden, CodeOf(err))

	id, _ := admin.GetID()
	require.Contains(t, id, "Admin@farm")
	require.NoError(t, (&fakeIdentity{attrs: map[string]string{"a": "b"}}).AssertAttributeValue("a", "b"))
	require.Error(t, (&fakeIdentity{}).AssertAttributeValue("a", "b"))
}

func TestEvaluateTransactionsList(t *testing.T) {
	list := New().GetEvaluateTransactions()
	require.Contains(t, list, "GetLot")
	require.NotContains(t, list, "CheckAuthenticity")
	list[0] = "mutated"
	require.Equal(t, "GetRoles", New().GetEvaluateTransactions()[0])
}
