import { render } from "preact";
import { App } from "./App";
import { Store } from "./store";
import "./styles.css";

const root = document.getElementById("app");
if (root) render(<App store={new Store()} />, root);
