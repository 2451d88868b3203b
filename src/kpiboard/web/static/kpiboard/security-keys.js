// Security keys (WebAuthn): a form with data-security-key="register" or "sign-in" asks its
// data-options URL for a challenge, has the key answer it, and is sent with the answer in its
// hidden "credential" field (web/accounts/security_key_views.py checks it). No inline script:
// the site's Content-Security-Policy allows only its own files.
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), function (c) { return c.charCodeAt(0); });
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    (options.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return options;
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    (options.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return options;
  }

  function answer(credential) {
    var response = credential.response;
    var sent = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      sent.response.attestationObject = toText(response.attestationObject);
      if (response.getTransports) { sent.response.transports = response.getTransports(); }
    } else {
      sent.response.authenticatorData = toText(response.authenticatorData);
      sent.response.signature = toText(response.signature);
      if (response.userHandle) { sent.response.userHandle = toText(response.userHandle); }
    }
    if (credential.authenticatorAttachment) {
      sent.authenticatorAttachment = credential.authenticatorAttachment;
    }
    return JSON.stringify(sent);
  }

  function say(form, message) {
    var place = form.querySelector("[data-security-key-message]");
    place.textContent = message;
    place.hidden = false;
  }

  function start(form) {
    var registering = form.getAttribute("data-security-key") === "register";
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(form.getAttribute("data-options"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (reply) {
      if (!reply.ok) { throw new Error("options " + reply.status); }
      return reply.json();
    }).then(function (options) {
      return registering
        ? navigator.credentials.create({ publicKey: creationOptions(options) })
        : navigator.credentials.get({ publicKey: requestOptions(options) });
    }).then(function (credential) {
      form.querySelector("input[name=credential]").value = answer(credential);
      form.submit();
    }).catch(function () {
      say(form, "Your security key did not answer. Check it is plugged in (or your phone is near) and try again.");
    });
  }

  document.querySelectorAll("form[data-security-key]").forEach(function (form) {
    if (!window.PublicKeyCredential) {
      say(form, "This browser cannot use security keys.");
      form.querySelector("button").disabled = true;
      return;
    }
    form.addEventListener("submit", function (event) {
      if (form.querySelector("input[name=credential]").value) { return; }
      event.preventDefault();
      start(form);
    });
  });
})();
