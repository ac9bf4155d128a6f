// Command provenance runs the farm-to-table provenance chaincode, either as a
// chaincode server (chaincode as a service) or launched by the peer.
package main

import (
	_ "embed"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/fabric-demo-kit/provenance/contract"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// metadataJSON is served by org.hyperledger.fabric:GetMetadata (real parameter names).
//
//go:embed contract-metadata/metadata.json
var metadataJSON []byte

// Environment variables read at start-up.
const (
	envServerAddress = "CHAINCODE_SERVER_ADDRESS"
	envChaincodeID   = "CHAINCODE_ID"
	envTLSKey        = "CHAINCODE_TLS_KEY_FILE"
	envTLSCert       = "CHAINCODE_TLS_CERT_FILE"
	envTLSClientCA   = "CHAINCODE_TLS_CLIENT_CA_FILE"
)

func main() {
	log.SetOutput(os.Stderr)
	log.SetFlags(log.LstdFlags | log.LUTC)
	log.SetPrefix("[provenance-cc] ")

	cc, err := contract.NewChaincode(metadataJSON)
	if err != nil {
		log.Fatalf("cannot create chaincode: %v", err)
	}

	server, err := serverFromEnv(os.Getenv, os.ReadFile)
	if err != nil {
		log.Fatalf("invalid chaincode server configuration: %v", err)
	}
	if server == nil {
		log.Printf("starting contract %q v%s in peer-launched mode (shim.Start); set %s to run as a chaincode server",
			contract.ContractName, contract.Version, envServerAddress)
		if err := shim.Start(cc); err != nil {
			log.Fatalf("chaincode stopped: %v", err)
		}
		return
	}
	server.CC = cc
	tlsMode := "disabled"
	if !server.TLSProps.Disabled {
		tlsMode = "enabled"
		if len(server.TLSProps.ClientCACerts) > 0 {
			tlsMode = "enabled, client authentication required"
		}
	}
	log.Printf("starting contract %q v%s as chaincode server: address=%s ccid=%s tls=%s",
		contract.ContractName, contract.Version, server.Address, server.CCID, tlsMode)
	if err := server.Start(); err != nil {
		log.Fatalf("chaincode server stopped: %v", err)
	}
}

// serverFromEnv returns the chaincode server configuration, or nil when
// CHAINCODE_SERVER_ADDRESS is not set (peer-launched mode).
func serverFromEnv(getenv func(string) string, readFile func(string) ([]byte, error)) (*shim.ChaincodeServer, error) {
	address := getenv(envServerAddress)
	if address == "" {
		return nil, nil
	}
	ccid := getenv(envChaincodeID)
	if ccid == "" {
		return nil, fmt.Errorf("%s must be set when %s is set", envChaincodeID, envServerAddress)
	}
	server := &shim.ChaincodeServer{CCID: ccid, Address: address, TLSProps: shim.TLSProperties{Disabled: true}}

	keyFile, certFile, caFile := getenv(envTLSKey), getenv(envTLSCert), getenv(envTLSClientCA)
	if keyFile == "" && certFile == "" {
		if caFile != "" {
			return nil, fmt.Errorf("%s requires %s and %s", envTLSClientCA, envTLSKey, envTLSCert)
		}
		return server, nil
	}
	if keyFile == "" || certFile == "" {
		return nil, errors.New("TLS needs both " + envTLSKey + " and " + envTLSCert)
	}
	key, err := readFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", envTLSKey, err)
	}
	cert, err := readFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", envTLSCert, err)
	}
	server.TLSProps = shim.TLSProperties{Disabled: false, Key: key, Cert: cert}
	if caFile != "" {
		ca, err := readFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", envTLSClientCA, err)
		}
		server.TLSProps.ClientCACerts = ca
	}
	return server, nil
}
