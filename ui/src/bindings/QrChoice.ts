// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
export type QrChoice = "wechat_qr" | "alipay_qr" | "cloud_wechat_qr" | "cloud_alipay_qr";
