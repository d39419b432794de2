import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { LangContext, translator, useT } from "./i18n";
import { useKeys, useScans } from "./input";
import { screenOf } from "./screen";
import { Desk } from "./desk/Desk";
import { FirstManager } from "./desk/FirstManager";
import { Checkout, ScanLineView } from "./screens/Checkout";
import { LiveList } from "./screens/LiveList";
import { Login } from "./screens/Login";
import { Manager } from "./screens/Manager";
import { Outcome } from "./screens/Outcome";
import { Progress } from "./screens/Progress";
import { QrScreen } from "./screens/QrScreen";
import { Settings } from "./screens/Settings";
import { playPaid } from "./sound";
import type { State, Store } from "./store";
import { Icon, KeyButton } from "./ui/bits";
import { SandboxBanner, StatusBar } from "./ui/StatusBar";

export function App({ store }: { store: Store }): JSX.Element {
  const [state, setState] = useState<State>(store.state);
  useEffect(() => {
    const off = store.subscribe(setState);
    void store.start(() => playPaid());
    return off;
  }, [store]);

  const screen = screenOf(store, state);
  const lang = state.status?.lang ?? "zh-CN";
  const t = useMemo(() => translator(lang), [lang]);
  useEffect(() => {
    // Lets the browser pick Simplified Chinese glyphs (and English hyphenation) for the language on show.
    document.documentElement.lang = lang;
  }, [lang]);

  useScans(store, t);
  useKeys(store);

  const status = state.status;
  const cur = store.current();
  let body: JSX.Element;
  switch (screen) {
    case "loading":
      body = state.fatal ? (
        <div class="fatal" role="alert" data-testid="fatal">
          <Icon name="warn" size={48} />
          <h1>{t("app.unreachable")}</h1>
          <p>{state.fatal.message}</p>
          <p>{t("app.retrying")}</p>
        </div>
      ) : (
        <div class="loading">{t("app.loading")}</div>
      );
      break;
    case "first":
      body = <FirstManager store={store} />;
      break;
    case "desk":
      body = <Desk store={store} />;
      break;
    case "login":
      body = status ? <Login store={store} status={status} /> : <div />;
      break;
    case "settings":
      body = <Settings store={store} />;
      break;
    case "live":
      body = <LiveList store={store} state={state} />;
      break;
    case "manager":
      body = cur ? <Manager store={store} a={cur.view} /> : <div />;
      break;
    case "checkout":
      body = status ? <Checkout store={store} state={state} status={status} /> : <div />;
      break;
    case "progress":
      body = cur ? <Progress store={store} seen={cur} /> : <div />;
      break;
    case "qr":
      body = cur ? <QrScreen store={store} seen={cur} /> : <div />;
      break;
    case "outcome":
      body = cur ? <Outcome store={store} a={cur.view} /> : <div />;
      break;
  }

  const bg = state.background;
  return (
    <LangContext.Provider value={lang}>
      <div class={`app screen-${screen}`} data-screen={screen}>
        {status?.sandbox && <SandboxBanner />}
        {bg && (
          <button type="button" class="background-paid" data-testid="background-paid" onClick={() => store.dismissBackground()}>
            <Icon name="check" size={22} /> {t("app.backgroundPaid", { bill: bg.bill, amount: bg.amount_text })}
          </button>
        )}
        <main class="main">
          {body}
          {state.scanLine && screen !== "checkout" && screen !== "desk" && <ScanLineView line={state.scanLine} floating />}
        </main>
        {status && <StatusBar store={store} status={status} />}
        {state.closeAsked && <CloseDialog store={store} />}
      </div>
    </LangContext.Provider>
  );
}

/** The window's close button while a payment is being followed: ask, and say that nothing is lost. */
function CloseDialog({ store }: { store: Store }): JSX.Element {
  const t = useT();
  return (
    <div class="modal-backdrop">
      <div class="modal" role="alertdialog" aria-labelledby="close-title" data-testid="close-dialog">
        <h1 id="close-title">
          <Icon name="warn" size={30} /> {t("close.title")}
        </h1>
        <p class="explain">{t("close.explain")}</p>
        <div class="actions">
          <KeyButton testid="close-keep" kind="primary" label={t("close.keep")} keyName="Esc" onClick={() => store.keepOpen()} />
          <KeyButton testid="close-anyway" kind="danger" label={t("close.anyway")} onClick={() => void store.closeAnyway()} />
        </div>
      </div>
    </div>
  );
}
