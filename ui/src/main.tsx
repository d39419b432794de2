// First: it mends the page language libraries read as they load (see locale.ts).
import "./locale";
import { render } from "preact";
import { App } from "./App";
import { Store } from "./store";
import "./styles.css";

const root = document.getElementById("app");
if (root) render(<App store={new Store()} />, root);
