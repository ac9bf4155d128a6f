package main

import (
	"errors"
	"testing"

	"github.com/fabric-demo-kit/provenance/contract"
	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func files(m map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if v, ok := m[name]; ok {
			return []byte(v), nil
		}
		return nil, errors.New("no such file " + name)
	}
}

func TestServerFromEnv(t *testing.T) {
	fs := files(map[string]string{"k": "KEY", "c": "CERT", "ca": "CA"})

	s, err := serverFromEnv(envOf(nil), fs)
	require.NoError(t, err)
	require.Nil(t, s, "no address: peer-launched mode")

	_, err = serverFromEnv(envOf(map[string]string{envServerAddress: ":9999"}), fs)
	require.Error(t, err, "CHAINCODE_ID is required")

	s, err = serverFromEnv(envOf(map[string]string{envServerAddress: "0.0.0.0:9999", envChaincodeID: "provenance:abc"}), fs)
	require.NoError(t, err)
	require.Equal(t, "0.0.0.0:9999", s.Address)
	require.Equal(t, "provenance:abc", s.CCID)
	require.True(t, s.TLSProps.Disabled)

	base := map[string]string{envServerAddress: ":9999", envChaincodeID: "id"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	s, err = serverFromEnv(envOf(with(map[string]string{envTLSKey: "k", envTLSCert: "c"})), fs)
	require.NoError(t, err)
	require.False(t, s.TLSProps.Disabled)
	require.Equal(t, []byte("KEY"), s.TLSProps.Key)
	require.Equal(t, []byte("CERT"), s.TLSProps.Cert)
	require.Nil(t, s.TLSProps.ClientCACerts)

	s, err = serverFromEnv(envOf(with(map[string]string{envTLSKey: "k", envTLSCert: "c", envTLSClientCA: "ca"})), fs)
	require.NoError(t, err)
	require.Equal(t, []byte("CA"), s.TLSProps.ClientCACerts)

	for _, bad := range []map[string]string{
		{envTLSKey: "k"},
		{envTLSCert: "c"},
		{envTLSClientCA: "ca"},
		{envTLSKey: "missing", envTLSCert: "c"},
		{envTLSKey: "k", envTLSCert: "missing"},
		{envTLSKey: "k", envTLSCert: "c", envTLSClientCA: "missing"},
	} {
		_, err = serverFromEnv(envOf(with(bad)), fs)
		require.Error(t, err, "%v", bad)
	}
}

func TestEmbeddedMetadata(t *testing.T) {
	_, err := contract.NewChaincode(metadataJSON)
	require.NoError(t, err)
	require.Contains(t, string(metadataJSON), `"harvestDate"`)
}
