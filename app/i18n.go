package app

import (
	goapp "github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The interface speaks Russian by default; the choice of English is kept
// in the browser's local storage through a persisted go-app state.
const (
	langState = "lang"
	langRU    = "ru"
	langEN    = "en"
)

// text is one phrase in both languages.
type text struct{ ru, en string }

func (t text) in(lang string) string {
	if lang == langEN {
		return t.en
	}
	return t.ru
}

// pick chooses between two strings coming from the server.
func pick(lang, ru, en string) string {
	if lang == langEN && en != "" {
		return en
	}
	return ru
}

var (
	txtTitle        = text{"Продление сертификата электронной подписи", "Renewal of an electronic signature certificate"}
	txtLead         = text{"Продлите сертификат, срок действия которого скоро истекает, не посещая удостоверяющий центр: личность подтверждается действующим сертификатом.", "Renew a certificate that is about to expire without visiting the certification centre: your current certificate proves who you are."}
	txtChoose       = text{"Выберите услугу", "Choose a service"}
	txtBelarus      = text{"Беларусь", "Belarus"}
	txtRussia       = text{"Россия", "Russia"}
	txtLoading      = text{"Загрузка…", "Loading…"}
	txtRetry        = text{"Повторить", "Try again"}
	txtSwitchLang   = text{"English", "Русский"}
	txtSwitchLabel  = text{"Switch the interface to English", "Переключить интерфейс на русский"}
	txtBack         = text{"← Все услуги", "← All services"}
	txtYouNeed      = text{"Что понадобится", "What you will need"}
	txtServiceCode  = text{"Услуга", "Service"}
	txtNotFound     = text{"Такой услуги нет.", "There is no such service."}
	txtLoadFailed   = text{"Не удалось загрузить данные.", "Could not load the data."}
	txtStart        = text{"Начать продление", "Start the renewal"}
	txtHeadLater    = text{"Руководитель подтверждает запросы сотрудников по ссылке из уведомления.", "The head confirms employees' requests through the link in the notification."}
	txtServicesNone = text{"Сейчас нет доступных услуг.", "No services are available right now."}
)

// observeLang makes a component follow the language choice.
func observeLang(ctx goapp.Context, lang *string) {
	ctx.ObserveState(langState, lang).OnChange(func() {
		ctx.Page().SetLang(*lang)
	})
	if *lang == "" {
		*lang = langRU
	}
	ctx.Page().SetLang(*lang)
}

// switchLang stores the other language for this browser.
func switchLang(ctx goapp.Context, current string) {
	next := langEN
	if current == langEN {
		next = langRU
	}
	ctx.SetState(langState, next).Persist()
}
