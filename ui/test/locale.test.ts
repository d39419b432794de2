import { describe, expect, it, vi } from "vitest";

describe("the page language libraries read", () => {
  it("is mended when the C library's locale ('C') stands in for it", async () => {
    Object.defineProperty(Navigator.prototype, "language", { configurable: true, get: () => "C" });
    expect(() => new Intl.NumberFormat(navigator.language)).toThrow(RangeError);
    vi.resetModules();
    await import("../src/locale");
    expect(navigator.language).toBe("zh-CN");
    expect(() => new Intl.NumberFormat(navigator.language)).not.toThrow();
  });

  it("is left alone when it is a language tag", async () => {
    Object.defineProperty(Navigator.prototype, "language", { configurable: true, get: () => "en-GB" });
    vi.resetModules();
    await import("../src/locale");
    expect(navigator.language).toBe("en-GB");
  });
});
