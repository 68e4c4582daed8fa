package renewal

import (
	"fmt"

	"renewal/server/internal/apierr"
)

// The package's public texts, all here: the refusals (each changes nothing,
// says why in Russian and English, and has a stable code), the reasons kept
// on closed applications, and the steps a resume link names. Notification
// texts are notify's templates; the labels of the documents' fields stay
// beside the code that fills them (check.go, delivery.go, billing.go).
//
// The refusals of the workflow. Each changes nothing, says why in Russian
// and English, and has a stable code for programs.
var (
	ErrBadPhone = apierr.New(apierr.KindBadRequest, "bad_phone",
		"Укажите мобильный телефон России (+7…) или Беларуси (+375…).",
		"Enter a mobile number of Russia (+7…) or Belarus (+375…).")
	ErrBadEmail = apierr.New(apierr.KindBadRequest, "bad_email",
		"Укажите адрес электронной почты, например ivanov@example.ru.",
		"Enter an e-mail address, for example ivanov@example.com.")
	ErrNoSession = apierr.New(apierr.KindUnauthorized, "no_session",
		"Сеанс не найден или истёк. Начните заново или откройте ссылку из письма.",
		"No session, or it has expired. Start again or open the link from the e-mail.")
	ErrCSRF = apierr.New(apierr.KindForbidden, "csrf",
		"Запрос отклонён: страница устарела. Обновите страницу и повторите.",
		"Request refused: the page is out of date. Reload the page and try again.")
	ErrNotProven = apierr.New(apierr.KindForbidden, "certificate_not_proven",
		"Сначала подтвердите действующий сертификат подписью.",
		"First prove your current certificate with a signature.")
	ErrWrongState = apierr.New(apierr.KindConflict, "wrong_state",
		"Это действие сейчас недоступно: заявка уже на другом шаге. Обновите страницу.",
		"This action is not available now: the application is at another step. Reload the page.")
	ErrCodeWrong = apierr.New(apierr.KindBadRequest, "code_wrong",
		"Неверный код.", "Wrong code.")
	ErrCodeVoided = apierr.New(apierr.KindBadRequest, "code_voided",
		"Код больше не действует после трёх неверных попыток. Запросите новый код через 10 минут.",
		"The code no longer works after three wrong attempts. Request a new code in 10 minutes.")
	ErrCodeCooldown = apierr.New(apierr.KindTooManyRequests, "code_cooldown",
		"После трёх неверных попыток новый код можно запросить через 10 минут.",
		"After three wrong attempts a new code can be requested in 10 minutes.")
	ErrCodeExpired = apierr.New(apierr.KindBadRequest, "code_expired",
		"Срок действия кода истёк. Запросите новый код.",
		"The code has expired. Request a new code.")
	ErrCodeUsed = apierr.New(apierr.KindBadRequest, "code_used",
		"Этот код уже использован.", "This code has already been used.")
	ErrCodeNone = apierr.New(apierr.KindBadRequest, "code_none",
		"Код не запрашивался. Запросите код.", "No code was requested. Request a code.")
	ErrResendTooSoon = apierr.New(apierr.KindTooManyRequests, "resend_too_soon",
		"Новый код можно запросить через минуту после предыдущего.",
		"A new code can be requested one minute after the previous one.")
	ErrTooManyCodes = apierr.New(apierr.KindTooManyRequests, "too_many_codes",
		"Слишком много кодов за час. Попробуйте позже.",
		"Too many codes in an hour. Please try later.")
	ErrChallenge = apierr.New(apierr.KindBadRequest, "challenge_invalid",
		"Запрос подписи устарел или уже использован. Повторите подтверждение сертификата.",
		"The signing request has expired or was already used. Prove the certificate again.")
	ErrProofSignature = apierr.New(apierr.KindBadRequest, "proof_signature",
		"Подпись не соответствует сертификату. Выберите сертификат, ключ которого у вас есть.",
		"The signature does not match the certificate. Choose a certificate whose key you hold.")
	ErrBadCertificate = apierr.New(apierr.KindBadRequest, "bad_certificate",
		"Не удалось прочитать сертификат.", "The certificate could not be read.")
	ErrCertificateKey = apierr.New(apierr.KindBadRequest, "certificate_key",
		"Открытый ключ сертификата неверен или его параметры не поддерживаются (ключ вне кривой, неизвестный набор параметров ГОСТ).",
		"The certificate's public key is invalid or its parameters are not supported (a key off its curve, an unknown GOST parameter set).")
	ErrProofSignatureForm = apierr.New(apierr.KindBadRequest, "proof_signature_form",
		"Подпись ГОСТ Р 34.10-2012 имеет неверную длину или значения вне допустимого диапазона.",
		"The GOST R 34.10-2012 signature has the wrong length or values out of range.")
	ErrWrongJurisdiction = apierr.New(apierr.KindBadRequest, "wrong_jurisdiction",
		"Этот сертификат выдан для другой страны, чем выбранная услуга.",
		"This certificate was issued for another country than the chosen service.")
	ErrOtherCertificate = apierr.New(apierr.KindForbidden, "other_certificate",
		"Заявка оформляется по другому сертификату. Подтвердите тот сертификат, с которого начали.",
		"The application uses another certificate. Prove the certificate you started with.")
	ErrUnknownTariff = apierr.New(apierr.KindBadRequest, "unknown_tariff",
		"Такого тарифа нет для этой услуги.", "There is no such tariff for this service.")
	ErrNoTariff = apierr.New(apierr.KindConflict, "no_tariff",
		"Сначала выберите сферу использования (тариф).", "First choose the usage sphere (tariff).")
	ErrTermsMismatch = apierr.New(apierr.KindBadRequest, "terms_mismatch",
		"Документы изменились или приняты не все. Ознакомьтесь с текущими версиями и примите каждый.",
		"The documents changed or not all were accepted. Read the current versions and accept each.")
	ErrIdentifiersDiffer = apierr.New(apierr.KindBadRequest, "identifiers_differ",
		"Данные не совпадают с действующим сертификатом. Продление сохраняет данные сертификата; для их изменения нужен новый сертификат с личной идентификацией в удостоверяющем центре.",
		"The data differ from the current certificate. A renewal keeps the certificate's data; changing them needs a new certificate with identification in person at the centre.")
	ErrNoDocument = apierr.New(apierr.KindConflict, "no_document",
		"Заявление ещё не сформировано: дождитесь окончания проверки.",
		"The application is not ready yet: wait for the check to finish.")
	ErrDocumentSignature = apierr.New(apierr.KindBadRequest, "document_signature",
		"Подпись заявления не прошла проверку: подпишите именно показанное заявление ключом подтверждённого сертификата.",
		"The application's signature failed verification: sign exactly the application shown, with the key of the proven certificate.")
	ErrNotIssued = apierr.New(apierr.KindConflict, "not_issued",
		"Сертификат ещё не выпущен.", "The certificate has not been issued yet.")
	ErrAckSignature = apierr.New(apierr.KindBadRequest, "acknowledgement_signature",
		"Подпись бланка не прошла проверку: подпишите показанный бланк новым ключом, для которого выпущен сертификат.",
		"The form's signature failed verification: sign the form shown with the NEW key the certificate was issued for.")
	ErrBadStatement = apierr.New(apierr.KindBadRequest, "bad_statement",
		"Выписка не распознана: нужен файл обмена 1CClientBankExchange.", "The statement was not recognised: a 1CClientBankExchange file is needed.")
	ErrResumeLink = apierr.New(apierr.KindNotFound, "resume_link",
		"Ссылка недействительна или устарела.", "The link is invalid or has expired.")
	ErrClosed = apierr.New(apierr.KindConflict, "closed",
		"Заявка закрыта.", "The application is closed.")
)

// The head's refusals: each says why and changes nothing.
var (
	ErrApprovalLink = apierr.New(apierr.KindNotFound, "approval_link",
		"Ссылка для подтверждения недействительна: она уже использована или срок её действия истёк. Попросите сотрудника отправить новую.",
		"The confirmation link is not valid: it was already used or it expired. Ask the employee to send a new one.")
	ErrNoHeadSession = apierr.New(apierr.KindUnauthorized, "no_head_session",
		"Сеанс руководителя не найден или истёк. Откройте ссылку из уведомления ещё раз.",
		"No head's session, or it expired. Open the link from the notification again.")
	ErrOtherOrganisation = apierr.New(apierr.KindForbidden, "other_organisation",
		"Ваш сертификат выдан для другой организации: подтвердить запросы этой организации может только её руководитель.",
		"Your certificate belongs to another organisation: only this organisation's head may confirm its requests.")
	ErrNotHead = apierr.New(apierr.KindForbidden, "not_head",
		"По данным реестра юридических лиц вы не являетесь руководителем этой организации.",
		"According to the register of legal entities you are not the head of this organisation.")
	ErrOwnRequest = apierr.New(apierr.KindForbidden, "own_request",
		"Свой собственный запрос подтверждать нельзя.", "You may not confirm your own request.")
	ErrNothingToConfirm = apierr.New(apierr.KindBadRequest, "nothing_to_confirm",
		"Выберите хотя бы один запрос, ожидающий подтверждения.", "Choose at least one request waiting for confirmation.")
	ErrConfirmationSignature = apierr.New(apierr.KindBadRequest, "confirmation_signature",
		"Подпись подтверждения не прошла проверку: подпишите именно показанный документ ключом своего сертификата.",
		"The confirmation's signature failed verification: sign exactly the document shown, with your certificate's key.")
	ErrNoReason = apierr.New(apierr.KindBadRequest, "no_reason",
		"Укажите причину отказа: сотрудник её увидит.", "Give the reason for declining: the employee will see it.")
)

// ErrNoConfirmation: no signed confirmation to show.
var ErrNoConfirmation = apierr.New(apierr.KindNotFound, "no_confirmation",
	"Подтверждения руководителя нет.", "There is no confirmation by the head.")

var (
	ErrUnknownMethod = apierr.New(apierr.KindBadRequest, "unknown_payment_method",
		"Такой способ оплаты недоступен для этой услуги.", "This payment method is not available for this service.")
	ErrPaymentProvider = apierr.New(apierr.KindUnavailable, "payment_provider",
		"Платёжный сервис сейчас недоступен. Попробуйте через несколько минут или выберите другой способ.",
		"The payment service is unavailable now. Try again in a few minutes or choose another method.")
	ErrWebhookSignature = apierr.New(apierr.KindUnauthorized, "webhook_signature",
		"Подпись уведомления неверна или устарела.", "The notification's signature is invalid or stale.")
	ErrWebhookMalformed = apierr.New(apierr.KindBadRequest, "webhook_malformed",
		"Уведомление не распознано.", "The notification was not recognised.")
	ErrNoInvoice = apierr.New(apierr.KindNotFound, "no_invoice",
		"Счёт не выставлялся.", "No invoice has been issued.")
)

// ErrUnknownCarrier: the wizard named a key carrier the service does not
// know (browser, file, request).
var ErrUnknownCarrier = apierr.New(apierr.KindBadRequest, "unknown_carrier",
	"Неизвестный носитель ключа. Обновите страницу и создайте ключ заново.",
	"Unknown key carrier. Reload the page and create the key again.")

var ErrBadRequestFile = apierr.New(apierr.KindBadRequest, "bad_request_file",
	"Файл запроса не распознан: нужен запрос на сертификат PKCS#10 (PEM или DER).",
	"The request file was not recognised: a PKCS#10 certificate request (PEM or DER) is needed.")

// ErrHeadService: 6.0.02 is where a head confirms employees' requests,
// not a renewal of one's own certificate.
var ErrHeadService = apierr.New(apierr.KindBadRequest, "head_service",
	"Услуга 6.0.02 предназначена для подтверждения руководителем запросов сотрудников, а не для продления своего сертификата. Для своего сертификата выберите 6.0.01.",
	"Service 6.0.02 is for the head to confirm employees' requests, not to renew one's own certificate. For your own certificate choose 6.0.01.")

// rejection is a reason kept on a closed application, shown by the wizard.
type rejection struct{ code, ru, en string }

func (r rejection) with(detail string) (code, ru, en string) {
	return r.code, fmt.Sprintf(r.ru, detail), fmt.Sprintf(r.en, detail)
}

var rejectDeclinedByHead = rejection{"declined_by_head", "Руководитель отклонил запрос: %s", "The head declined the request: %s"}

// The audit log's.
var (
	ErrNoCheckpoint = apierr.New(apierr.KindNotFound, "no_checkpoint",
		"Журнал аудита ещё не подписан.", "The audit log has no signed checkpoint yet.")
	ErrNoAuditTrail = apierr.New(apierr.KindNotFound, "no_audit_trail",
		"Событий по этой заявке нет.", "There are no events for this application.")
)

// A form field refused without a message of the identifier checks.
const (
	fieldInvalidRU = "Поле заполнено неверно: %s"
	fieldInvalidEN = "The field is not valid: %s"
)

// codeChannel names a code's channel in a refusal: a person who typed two
// codes must learn which one was wrong.
var codeChannel = map[string]struct{ ru, en string }{
	"sms":   {"из СМС", "SMS"},
	"email": {"из письма", "e-mail"},
}

// errCodeWrongLeft is ErrCodeWrong naming the channel, with the attempts
// left for that code.
func errCodeWrongLeft(channel string, left int) *apierr.Error {
	n := codeChannel[channel]
	return apierr.New(apierr.KindBadRequest, ErrCodeWrong.Code,
		fmt.Sprintf("Неверный код %s. Осталось попыток для этого кода: %d.", n.ru, left),
		fmt.Sprintf("Wrong %s code. Attempts left for this code: %d.", n.en, left))
}

// errCodeVoidedOn is ErrCodeVoided naming the channel.
func errCodeVoidedOn(channel string) *apierr.Error {
	n := codeChannel[channel]
	return apierr.New(apierr.KindBadRequest, ErrCodeVoided.Code,
		fmt.Sprintf("Код %s больше не действует после трёх неверных попыток. Запросите новый код через 10 минут.", n.ru),
		fmt.Sprintf("The %s code no longer works after three wrong attempts. Request a new code in 10 minutes.", n.en))
}

var rejectRegistryUnavailable = rejection{"registry_unavailable",
	"Государственные реестры не ответили. Повторите подачу заявки позже.",
	"The state registries did not answer. Please apply again later."}

// rejectCorrectionsExhausted ends an application whose data a register
// did not find once more after maxCorrections corrections: more tries
// would let anyone guess a holder's passport.
var rejectCorrectionsExhausted = rejection{"corrections_exhausted",
	"Данные снова не найдены в реестре, а исправить их можно не больше трёх раз. Продлить сертификат удалённо по этой заявке нельзя: обратитесь в удостоверяющий центр лично с документами, указанными ниже.",
	"The registry again did not find the data, and they may be corrected at most three times. This application cannot renew the certificate remotely: please visit the centre in person with the documents listed below."}

// nextStep names, in a resume link's e-mail, what the person comes back for.
type nextStep struct{ ru, en string }

var (
	nextPayment          = nextStep{"оплата", "payment"}
	nextApproval         = nextStep{"подтверждение руководителем", "the head's approval"}
	nextPaymentAfterHead = nextStep{"подтверждено руководителем; ожидается оплата", "confirmed by the head; payment pending"}
	nextKey              = nextStep{"создание ключа", "key generation"}
	nextOpenApplication  = nextStep{"продолжение начатой заявки (новую по тому же сертификату открыть нельзя)", "your application already under way (a second one for the same certificate cannot be opened)"}
)

// A certificate that does not fit the service chosen (at the proof), by
// jurisdiction: the services have other names in Russia and Belarus.
var (
	ErrEmployeeCertificate = map[string]*apierr.Error{
		"RU": apierr.New(apierr.KindForbidden, "employee_certificate",
			"Этот сертификат выдан сотруднику организации: его продление подтверждает руководитель. Вернитесь к списку услуг и выберите «По доверенности».",
			"This certificate was issued to an employee of an organisation: its renewal is confirmed by the head. Go back to the services and choose \"By power of attorney\"."),
		"BY": apierr.New(apierr.KindForbidden, "employee_certificate",
			"Этот сертификат выдан сотруднику организации: его продление подтверждает руководитель. Вернитесь к списку услуг и выберите услугу 6.0.01.",
			"This certificate was issued to an employee of an organisation: its renewal is confirmed by the head. Go back to the services and choose service 6.0.01."),
	}
	ErrNotEmployeeCertificate = map[string]*apierr.Error{
		"RU": apierr.New(apierr.KindForbidden, "not_employee_certificate",
			"Этот сертификат не называет организацию: это сертификат физического лица или ИП. Вернитесь к списку услуг и выберите «Я владелец».",
			"This certificate names no organisation: it belongs to an individual or a sole proprietor. Go back to the services and choose \"I am the owner\"."),
		"BY": apierr.New(apierr.KindForbidden, "not_employee_certificate",
			"Этот сертификат не называет организацию: это сертификат физического лица или ИП. Вернитесь к списку услуг и выберите услугу 6.0.00.",
			"This certificate names no organisation: it belongs to an individual or a sole proprietor. Go back to the services and choose service 6.0.00."),
	}
)

// ErrOpenApplication: one open application per certificate.
var ErrOpenApplication = apierr.New(apierr.KindConflict, "open_application",
	"По этому сертификату уже идёт продление. Продолжите его по ссылке, которую мы только что отправили на электронную почту, указанную в той заявке; эта заявка не открыта.",
	"A renewal of this certificate is already under way. Continue it with the link we have just sent to the e-mail given in that application; this one was not opened.")

// Refusals of payment notifications (issue 11): each changes nothing and
// is recorded in the audit stream of the provider's notifications.
var (
	ErrWebhookSender = apierr.New(apierr.KindForbidden, "webhook_sender",
		"Уведомление пришло не с адреса платёжной системы.", "The notification did not come from the payment provider's address.")
	ErrWebhookUnconfirmed = apierr.New(apierr.KindConflict, "webhook_unconfirmed",
		"Платёжная система не подтвердила то, о чём говорит уведомление: платёж у неё ещё не завершён.",
		"The payment provider did not confirm what the notification says: the payment is not complete there yet.")
)

// Reasons of the operator's review queue and of an application stopped
// by a refund or a chargeback after its certificate was issued.
var (
	reviewRefundedAfterIssue = rejection{"refunded_after_issue",
		"Оплата возвращена после издания сертификата; сертификат %s отозван (прекращение полномочий). Заявку рассмотрит оператор удостоверяющего центра.",
		"The payment was refunded after the certificate was issued; certificate %s is revoked (privilege withdrawn). The certification centre's operator will review the application."}
	reviewChargebackAfterIssue = rejection{"chargeback_after_issue",
		"Банк плательщика отозвал оплату (возвратный платёж) после издания сертификата; сертификат %s отозван (прекращение полномочий). Заявку рассмотрит оператор удостоверяющего центра.",
		"The payer's bank reversed the payment (a chargeback) after the certificate was issued; certificate %s is revoked (privilege withdrawn). The certification centre's operator will review the application."}
	reviewPartialRefund = rejection{"partial_refund",
		"Платёжная система вернула часть оплаты (%s); все заявки этого платежа остановлены, остаток нужно урегулировать с плательщиком.",
		"The payment provider refunded part of the payment (%s); every application of this payment is stopped, and the rest must be settled with the payer."}
)
