package contract

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies every error returned to clients. Errors are rendered as "CODE: message".
type Code string

// Error codes.
const (
	CodeNotFound        Code = "NOT_FOUND"
	CodeAlreadyExists   Code = "ALREADY_EXISTS"
	CodeForbidden       Code = "FORBIDDEN"
	CodeNotCustodian    Code = "NOT_CUSTODIAN"
	CodeInvalidArgument Code = "INVALID_ARGUMENT"
	CodeInvalidState    Code = "INVALID_STATE"
	CodeRecalled        Code = "RECALLED"
)

// AllCodes lists every error code.
var AllCodes = []Code{
	CodeNotFound, CodeAlreadyExists, CodeForbidden, CodeNotCustodian,
	CodeInvalidArgument, CodeInvalidState, CodeRecalled,
}

// Error is a contract error carrying a Code.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	return string(e.Code) + ": " + e.Message
}

func newError(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ledgerError wraps a failure of the peer/ledger API. It is reported as INVALID_STATE
// so that the client still sees one of the documented codes.
func ledgerError(op string, err error) error {
	return newError(CodeInvalidState, "ledger error during %s: %v", op, err)
}

// CodeOf returns the Code of err, or "" when err is not a contract error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// HasCodePrefix reports whether msg already starts with "CODE: " for a known code.
func HasCodePrefix(msg string) bool {
	for _, c := range AllCodes {
		if strings.HasPrefix(msg, string(c)+": ") {
			return true
		}
	}
	return false
}
