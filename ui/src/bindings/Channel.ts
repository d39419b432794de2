// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
export type Channel = "wechat-qr" | "alipay-qr" | "koudai-barcode" | "pos-wechat-barcode" | "cloud-qr" | "cloud-barcode";
