package ca

import (
	"errors"
	"strings"

	"renewal/ca/lint"
)

// Error is the one error type of the authority. Code is stable (for the
// server's mapping to a status and for logs); RU and EN are messages a person
// can read. Detail and Err carry the technical cause, for logs only.
//
// Sentinel values are compared with errors.Is, which matches on Code, so an
// error carrying details still matches its sentinel.
type Error struct {
	Code     string
	RU, EN   string
	Detail   string         // technical detail, not for the person
	Findings []lint.Finding // set on ErrLint
	Err      error          // wrapped cause
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("ca: ")
	b.WriteString(e.Code)
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches any *Error with the same Code.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code
	}
	return false
}

// with returns a copy of the sentinel carrying a detail and a cause.
func (e *Error) with(detail string, cause error) *Error {
	c := *e
	c.Detail, c.Err = detail, cause
	return &c
}

// Sentinel errors of the authority.
var (
	ErrBadRequest = &Error{Code: "bad_request",
		RU: "Заявка заполнена не полностью или неверно.",
		EN: "The request is incomplete or invalid."}
	ErrBadCSR = &Error{Code: "bad_csr",
		RU: "Запрос на сертификат повреждён и не читается. Сформируйте ключ и запрос заново.",
		EN: "The certificate request is damaged and cannot be read. Generate the key and the request again."}
	ErrBadSignature = &Error{Code: "bad_signature",
		RU: "Подпись запроса на сертификат неверна: не доказано владение новым ключом. Сформируйте запрос заново.",
		EN: "The certificate request signature is invalid: possession of the new key is not proven. Create the request again."}
	ErrUnsupportedAlgorithm = &Error{Code: "unsupported_algorithm",
		RU: "Алгоритм ключа или подписи не поддерживается. Используйте ECDSA P-256/P-384, RSA 2048–4096 или ГОСТ Р 34.10-2012 (256 или 512 бит, параметры ТК26) с подписью на хэше Стрибог того же размера.",
		EN: "The key or signature algorithm is not supported. Use ECDSA P-256/P-384, RSA 2048–4096 or GOST R 34.10-2012 (256 or 512 bits, TC26 parameters) signing over a Streebog digest of the same size."}
	ErrWeakKey = &Error{Code: "weak_key",
		RU: "Ключ не подходит: допустимы ECDSA P-256, P-384, RSA от 2048 до 4096 бит с экспонентой 65537 или ГОСТ Р 34.10-2012, открытый ключ которого лежит на кривой и в её подгруппе.",
		EN: "The key is not acceptable: use ECDSA P-256, P-384, RSA of 2048 to 4096 bits with exponent 65537, or GOST R 34.10-2012 whose public key lies on its curve and in its subgroup."}
	ErrKeyNotAllowed = &Error{Code: "key_not_allowed",
		RU: "Ключ этого типа не подходит для сертификата этой услуги. Создайте ключ заново в мастере (он выберет нужный алгоритм сам) или сформируйте запрос с ключом, который допускает удостоверяющий центр.",
		EN: "A key of this type does not fit this service's certificate. Create the key again in the wizard (it chooses the right algorithm itself) or make a request with a key the certification centre accepts."}
	ErrKeyReused = &Error{Code: "key_reused",
		RU: "Этот ключ уже использовался. Для продления нужна новая пара ключей.",
		EN: "This key has already been used. Renewal needs a new key pair."}
	ErrSubjectChanged = &Error{Code: "subject_changed",
		RU: "Данные владельца в запросе отличаются от действующего сертификата. Изменение данных — это новый выпуск с личной идентификацией, а не продление.",
		EN: "The subject in the request differs from the current certificate. A change of details is a new issuance with identification, not a renewal."}
	ErrCertExpired = &Error{Code: "cert_expired",
		RU: "Срок действия текущего сертификата истёк. Продление невозможно — обратитесь в удостоверяющий центр за новым сертификатом.",
		EN: "The current certificate has expired. It cannot be renewed: apply to the certification centre for a new certificate."}
	ErrCertNotYetValid = &Error{Code: "cert_not_yet_valid",
		RU: "Текущий сертификат ещё не начал действовать.",
		EN: "The current certificate is not valid yet."}
	ErrCertRevoked = &Error{Code: "cert_revoked",
		RU: "Текущий сертификат отозван. Продление невозможно — обратитесь в удостоверяющий центр.",
		EN: "The current certificate has been revoked. It cannot be renewed: contact the certification centre."}
	ErrUntrustedChain = &Error{Code: "untrusted_chain",
		RU: "Текущий сертификат выдан не доверенным удостоверяющим центром.",
		EN: "The current certificate was not issued by a trusted certification authority."}
	ErrOutsideWindow = &Error{Code: "outside_window",
		RU: "Продление ещё недоступно: оно открывается незадолго до окончания срока действия сертификата.",
		EN: "Renewal is not open yet: it opens shortly before the certificate expires."}
	ErrRemoteChain = &Error{Code: "remote_chain",
		RU: "Текущий сертификат сам был выдан дистанционно. Повторный дистанционный выпуск запрещён — нужна личная идентификация в удостоверяющем центре или идентификация по биометрии.",
		EN: "The current certificate was itself issued remotely. Another remote issuance is not allowed: identify in person at the certification centre, or with biometrics."}
	ErrRenewalLimit = &Error{Code: "renewal_limit",
		RU: "Этот сертификат и те, что он заменил, за последний год уже продлевались дистанционно столько раз, сколько разрешено. Следующий выпуск — только с личной идентификацией в удостоверяющем центре.",
		EN: "This certificate and those it replaced have been renewed remotely as many times this year as allowed. The next issuance needs identification in person at the certification centre."}
	ErrTokenUsed = &Error{Code: "token_used",
		RU: "Эта заявка уже была исполнена. Повторный выпуск по ней невозможен.",
		EN: "This application has already been fulfilled. It cannot issue again."}
	ErrValidity = &Error{Code: "validity",
		RU: "Срок действия нового сертификата не соответствует правилам удостоверяющего центра. Выпуск остановлен; оператор уведомлён.",
		EN: "The new certificate's validity does not fit the certification centre's rules. Issuance stopped; the operator is notified."}
	ErrLint = &Error{Code: "lint",
		RU: "Сертификат не прошёл проверку состава перед подписью. Выпуск остановлен; оператор уведомлён.",
		EN: "The certificate failed the content check before signing. Issuance stopped; the operator is notified."}
	// ErrRevocationUnavailable: the status of a certificate of another
	// trusted issuer could not be had fresh and verified (OCSP and CRL
	// down, slow, stale or badly signed, or the certificate names
	// neither). Fail closed: the holder tries again later.
	ErrRevocationUnavailable = &Error{Code: "revocation_unavailable",
		RU: "Не удалось проверить, не отозван ли текущий сертификат: служба статуса (OCSP) и список отозванных сертификатов (CRL) выдавшего его удостоверяющего центра сейчас недоступны или устарели. Ничего не изменено; повторите попытку позже.",
		EN: "Could not check whether the current certificate is revoked: the status service (OCSP) and the revocation list (CRL) of the authority that issued it are unavailable or out of date. Nothing was changed; please try again later."}
	// ErrRevocationUncheckable: a certificate of another issuer names no
	// OCSP responder and no http(s) CRL: its status can never be had, so
	// waiting will not help.
	ErrRevocationUncheckable = &Error{Code: "revocation_uncheckable",
		RU: "Текущий сертификат выдан другим удостоверяющим центром и не содержит адресов службы статуса (OCSP) и списка отозванных сертификатов (CRL): проверить, не отозван ли он, невозможно. Дистанционное продление по нему недоступно — обратитесь в удостоверяющий центр.",
		EN: "The current certificate was issued by another authority and names no status service (OCSP) and no revocation list (CRL): whether it is revoked cannot be checked. It cannot be renewed remotely: contact the certification centre."}
)
