# Loaded by run.sh: a WebKitGTK window on the built UI; logs in by script, focuses the amount field, records
# every key/composition/input event (before the app sees it) and, after a while, writes what happened.
import sys
import gi
gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2, GLib

URL = sys.argv[1]
OUT = sys.argv[2]
SETUP = """
(async () => {
  const id = (t) => document.querySelector(`[data-testid="${t}"]`);
  const wait = async (t) => { for (let i = 0; i < 100 && !id(t); i++) await new Promise(r => setTimeout(r, 50)); return id(t); };
  const set = (el, v) => { const d = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value'); d.set.call(el, v); el.dispatchEvent(new Event('input', {bubbles: true})); };
  set(await wait('login-operator'), 'cashier'); set(await wait('login-password'), '123456');
  await new Promise(r => setTimeout(r, 300));
  id('login-submit').click();
  set(await wait('bill-input'), 'B-WK-1');
  const amount = await wait('amount-input'); set(amount, '5.5');
  await new Promise(r => setTimeout(r, 300));
  amount.focus();
  const log = (window.__imeLog = []);
  const field = () => document.querySelector('[data-testid="amount-input"]')?.value;
  for (const type of ["keydown","keypress","keyup","compositionstart","compositionupdate","compositionend","beforeinput","input"]) {
    window.addEventListener(type, (e) => log.push(`${type} key=${e.key ?? '-'} code=${e.code ?? '-'} keyCode=${e.keyCode ?? '-'} composing=${e.isComposing ?? '-'} data=${JSON.stringify(e.data ?? null)} type=${e.inputType ?? '-'} t=${e.timeStamp.toFixed(1)} field=${field()}`), true);
  }
  document.title = 'READY';
})();
"""

win = Gtk.Window(title="probe")
win.set_default_size(1280, 800)
EARLY = '''
window.__early = [];
for (const type of ["keydown","keyup","compositionstart","compositionend","input"]) {
  window.addEventListener(type, (e) => window.__early.push(`${type} key=${e.key ?? '-'} code=${e.code ?? '-'} kc=${e.keyCode ?? '-'} comp=${e.isComposing ?? '-'} data=${JSON.stringify(e.data ?? null)} t=${e.timeStamp.toFixed(1)} now=${performance.now().toFixed(1)}`), true);
}
'''
ucm = WebKit2.UserContentManager()
ucm.add_script(WebKit2.UserScript.new(EARLY, WebKit2.UserContentInjectedFrames.TOP_FRAME, WebKit2.UserScriptInjectionTime.START, None, None))
view = WebKit2.WebView.new_with_user_content_manager(ucm)
win.add(view)
win.connect("destroy", Gtk.main_quit)

def loaded(v, ev):
    if ev == WebKit2.LoadEvent.FINISHED:
        v.run_javascript(SETUP, None, None, None)
view.connect("load-changed", loaded)

def dump():
    def done(v, res, *_):
        try:
            r = v.run_javascript_finish(res)
            val = r.get_js_value().to_string()
        except Exception as e:
            val = "ERR " + str(e)
        open(OUT, "w").write(val)
        Gtk.main_quit()
    view.run_javascript("JSON.stringify({early: (window.__early ?? []).filter(l => !l.startsWith('input') || true).slice(-80), log: window.__imeLog ?? [], screen: document.querySelector('.app')?.dataset.screen, amount: document.querySelector('[data-testid=amount-input]')?.value ?? null, code: document.querySelector('[data-testid=code-masked]')?.textContent ?? null, scanLine: (document.querySelector('[data-testid=scan-error]') ?? document.querySelector('[data-testid=scan-line]'))?.textContent ?? null})", None, done, None)
    return False

def poll_title():
    if view.get_title() == "READY":
        open(OUT + ".ready", "w").write("1")
        return False
    return True

GLib.timeout_add(100, poll_title)
GLib.timeout_add_seconds(int(sys.argv[3]) if len(sys.argv) > 3 else 25, dump)
view.load_uri(URL)
win.show_all()
Gtk.main()
