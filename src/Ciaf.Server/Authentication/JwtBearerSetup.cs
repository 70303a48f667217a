using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Ciaf.Server.Authentication;

/// <summary>Configures the JWT bearer handler from <see cref="JwtSettings"/>: issuer, audience, lifetime, keys, claim names.</summary>
internal static class JwtBearerSetup
{
    /// <summary>How far clocks may disagree when a token's lifetime is checked.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    public static void Configure(JwtBearerOptions options, JwtSettings settings)
    {
        options.MapInboundClaims = false;
        if (!string.IsNullOrWhiteSpace(settings.Authority))
        {
            var authority = new Uri(settings.Authority);
            options.Authority = settings.Authority;
            // Discovery over plain http only on loopback (a local identity provider in development).
            options.RequireHttpsMetadata = !(authority.Scheme == Uri.UriSchemeHttp && authority.IsLoopback);
        }
        options.Audience = settings.Audience;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = string.IsNullOrWhiteSpace(settings.Issuer) ? null : settings.Issuer,
            ValidateAudience = true,
            ValidAudience = settings.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = ClockSkew,
            NameClaimType = settings.NameClaim,
            RoleClaimType = settings.RoleClaim,
        };
        if (!string.IsNullOrWhiteSpace(settings.SigningKeyPath))
        {
            options.TokenValidationParameters.IssuerSigningKey = LoadKey(settings.SigningKeyPath);
        }
        options.Events = new JwtBearerEvents
        {
            OnAuthenticationFailed = context =>
            {
                AuthenticationFailure.Set(context.HttpContext, context.Exception switch
                {
                    SecurityTokenExpiredException => "The bearer token has expired.",
                    SecurityTokenInvalidAudienceException => "The bearer token is not for this server's audience.",
                    SecurityTokenInvalidIssuerException => "The bearer token is from an issuer this server does not trust.",
                    SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The bearer token's signature is not valid.",
                    _ => "The bearer token is not valid.",
                });
                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                var identity = context.Principal?.Identity as ClaimsIdentity;
                string? name = identity?.FindFirst(settings.NameClaim)?.Value;
                if (identity is null || string.IsNullOrWhiteSpace(name) || name.Any(char.IsControl))
                {
                    string reason = $"The bearer token has no usable '{settings.NameClaim}' claim naming the user.";
                    AuthenticationFailure.Set(context.HttpContext, reason);
                    context.Fail(reason);
                    return Task.CompletedTask;
                }
                identity.AddClaim(new Claim(CiafClaimTypes.Actor, "oidc:" + name));
                identity.AddClaim(new Claim(CiafClaimTypes.Method, "oidc"));
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>Reads a PEM public key (RSA or EC; a certificate's key is not accepted, give the key).</summary>
    private static SecurityKey LoadKey(string path)
    {
        string pem = File.ReadAllText(path);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
            rsa.Dispose();
            var ec = ECDsa.Create();
            try
            {
                ec.ImportFromPem(pem);
            }
            catch (ArgumentException e)
            {
                ec.Dispose();
                throw new ArgumentException($"{ServerConfigKeys.JwtSigningKeyPath}: '{path}' holds no PEM RSA or EC public key.", e);
            }
            return new ECDsaSecurityKey(ec);
        }
    }
}
