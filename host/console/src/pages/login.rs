//! Log in and out.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::App;
use crate::auth::{self, LOGIN_COOKIE, Login, SESSION_COOKIE, User};
use crate::error::{Error, Result};
use crate::fields::Fields;
use crate::view::render;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    csrf: &'a str,
    error: Option<&'a str>,
}

/// The form, with a fresh token in both a cookie and the form: a login posted from another
/// site lacks the cookie and is refused.
fn form_response(status: StatusCode, error: Option<&str>) -> Result<Response> {
    let csrf = auth::token()?;
    let page = render(&LoginPage { csrf: &csrf, error })?;
    let cookie = auth::set_cookie(LOGIN_COOKIE, &csrf, 3600);
    Ok((status, [(header::SET_COOKIE, cookie)], page).into_response())
}

pub(crate) async fn form() -> Result<Response> {
    form_response(StatusCode::OK, None)
}

pub(crate) async fn submit(
    State(app): State<Arc<App>>,
    request: axum::extract::Request,
) -> Result<Response> {
    let addr = auth::client(request.extensions());
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), 64 * 1024)
        .await
        .map_err(|_| Error::BadRequest("the login form is too large".to_owned()))?;
    let fields = Fields::parse(&body);
    let expected = auth::cookie(&headers, LOGIN_COOKIE);
    if expected.is_none() || expected != fields.get("csrf") {
        return Err(Error::Csrf);
    }
    let (name, password) = (fields.require("user")?, fields.require("password")?);
    match auth::log_in(&app, addr, name, password).await? {
        Login::In(token) => {
            let secs = app.settings.session.as_secs();
            let mut response = Redirect::to("/").into_response();
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                auth::set_cookie(SESSION_COOKIE, &token, secs),
            );
            headers.append(header::SET_COOKIE, auth::set_cookie(LOGIN_COOKIE, "", 0));
            Ok(response)
        }
        Login::Failed => form_response(
            StatusCode::UNAUTHORIZED,
            Some("Wrong user name or password."),
        ),
    }
}

pub(crate) async fn logout(
    State(app): State<Arc<App>>,
    user: User,
    body: Bytes,
) -> Result<Response> {
    user.check_csrf(&Fields::parse(&body))?;
    auth::log_out(&app, &user).await?;
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, auth::set_cookie(SESSION_COOKIE, "", 0));
    Ok(response)
}
