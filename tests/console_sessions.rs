//! The console's sessions over real HTTP: logging in with a token sets a cookie that
//! holds a random session id, not the token (HttpOnly, SameSite=Strict, Path=/console,
//! Secure behind a TLS proxy); the token itself is no session; logout and revoking the
//! token end the session (and a token re-created under the same name does not revive
//! it); a form posted from another site is refused.

mod support;

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Client, Response, StatusCode, redirect};
use sellerguard::triage::Curator;
use support::service::TestService;

/// A client that shows redirects instead of following them.
fn client() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// POSTs the login form with `token` (and `extra` headers).
async fn login(service: &TestService, token: &str, extra: &[(&str, &str)]) -> Response {
    let mut request = client()
        .post(service.url("/console/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}"));
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// The `Set-Cookie` header of `response` for the session cookie.
fn session_cookie(response: &Response) -> String {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("sg_session="))
        .expect("a session cookie")
}

/// The cookie's value.
fn value_of(cookie: &str) -> String {
    let pair = cookie.split(';').next().unwrap();
    pair.trim_start_matches("sg_session=").to_owned()
}

/// `GET /console` with session `id`.
async fn queue(service: &TestService, id: &str) -> StatusCode {
    client()
        .get(service.url("/console"))
        .header(COOKIE, format!("sg_session={id}"))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn the_cookie_holds_a_session_not_the_token() {
    let service = TestService::start(|_| {}).await;
    let response = login(&service, &service.token, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(&response);
    let id = value_of(&cookie);
    assert!(id.len() >= 64, "{cookie}");
    assert!(!cookie.contains(&service.token), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attribute), "{attribute}: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    assert_eq!(queue(&service, &id).await, StatusCode::OK);
    assert_eq!(
        queue(&service, &service.token).await,
        StatusCode::UNAUTHORIZED,
        "the token itself is no session"
    );

    let behind_tls = login(&service, &service.token, &[("x-forwarded-proto", "https")]).await;
    assert!(session_cookie(&behind_tls).contains("; Secure"));
    let other = value_of(&session_cookie(&behind_tls));
    assert_ne!(other, id, "every login gets its own session");

    let wrong = login(&service, "sg_0000", &[]).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
}

#[tokio::test]
async fn logout_and_revoking_the_token_end_sessions() {
    let service = TestService::start(|_| {}).await;
    let first = value_of(&session_cookie(&login(&service, &service.token, &[]).await));
    let second = value_of(&session_cookie(&login(&service, &service.token, &[]).await));

    let logout = client()
        .post(service.url("/console/logout"))
        .header(COOKIE, format!("sg_session={first}"))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    assert!(session_cookie(&logout).contains("Max-Age=0"));
    assert_eq!(queue(&service, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        queue(&service, &second).await,
        StatusCode::OK,
        "only that one"
    );

    let triage = &service.running.triage;
    triage.revoke_token("alice", &Curator::cli()).unwrap();
    assert_eq!(queue(&service, &second).await, StatusCode::UNAUTHORIZED);
    triage.create_token("alice", &Curator::cli()).unwrap();
    assert_eq!(
        queue(&service, &second).await,
        StatusCode::UNAUTHORIZED,
        "a new token of the same name does not revive the session"
    );
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let service = TestService::start(|_| {}).await;
    let id = value_of(&session_cookie(&login(&service, &service.token, &[]).await));
    let post = |origin: String| {
        client()
            .post(service.url("/console/contacts"))
            .header(COOKIE, format!("sg_session={id}"))
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("value=%2B15551234567&action=block")
    };
    let foreign = post("http://evil.example".into()).send().await.unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let (_, audit) = service
        .curator(reqwest::Method::GET, "/api/v1/audit", None)
        .await;
    assert!(
        !audit.to_string().contains("15551234567"),
        "nothing done: {audit}"
    );
    let own = format!("http://{}", service.running.http_addr);
    let same = post(own).send().await.unwrap();
    assert_eq!(same.status(), StatusCode::SEE_OTHER);
    let (_, audit) = service
        .curator(reqwest::Method::GET, "/api/v1/audit", None)
        .await;
    assert!(audit.to_string().contains("15551234567"), "{audit}");

    let proxied = post("https://console.example.com".into())
        .header("x-forwarded-host", "console.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        proxied.status(),
        StatusCode::SEE_OTHER,
        "behind a proxy that rewrites Host"
    );

    let login_elsewhere = login(
        &service,
        &service.token,
        &[("origin", "http://evil.example")],
    )
    .await;
    assert_eq!(login_elsewhere.status(), StatusCode::FORBIDDEN);
}
