using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace BookMyShow.Gateway.Auth;

/// <summary>The resolved signing key and whether development tokens are issued.</summary>
public sealed record TokenSettings(SymmetricSecurityKey Key, string Issuer, string Audience, bool DevTokensEnabled, TimeSpan DevTokenLifetime, bool DevTokenRoles = false);

public static class AuthExtensions
{
    public static IServiceCollection AddGatewayAuth(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment, bool embedded)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var devTokens = options.DevTokens ?? (embedded && !environment.IsProduction());
        byte[] keyBytes;
        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            if (options.SigningKey.Length < 32)
            {
                throw new InvalidOperationException("Auth:SigningKey must be at least 32 characters.");
            }
            keyBytes = Encoding.UTF8.GetBytes(options.SigningKey);
        }
        else if (devTokens)
        {
            // One process issues and checks the tokens: a key of its own is enough, and tokens end with it.
            keyBytes = RandomNumberGenerator.GetBytes(32);
        }
        else
        {
            throw new InvalidOperationException("Auth:SigningKey is required when development tokens are off.");
        }

        var settings = new TokenSettings(new SymmetricSecurityKey(keyBytes), options.Issuer, options.Audience, devTokens, options.DevTokenLifetime, options.DevTokenRoles);
        services.AddSingleton(settings);
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Issuer,
                    ValidAudience = settings.Audience,
                    IssuerSigningKey = settings.Key,
                    NameClaimType = "sub",
                    RoleClaimType = "role",
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                o.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        // Every endpoint acts for the token's one subject: a token without one is refused here (401),
                        // not found missing later (a 500).
                        var subjects = context.Principal?.FindAll("sub").Select(c => c.Value).ToList() ?? [];
                        if (subjects.Count != 1 || string.IsNullOrWhiteSpace(subjects[0]))
                        {
                            var failure = new AuthFailures.NoSubjectException();
                            AuthFailures.Remember(context.HttpContext, failure);
                            context.Fail(failure);
                        }
                        return Task.CompletedTask;
                    },
                    OnAuthenticationFailed = context =>
                    {
                        AuthFailures.Remember(context.HttpContext, context.Exception);
                        return Task.CompletedTask;
                    },
                };
            });
        services.AddAuthorizationBuilder().AddGatewayPolicies();
        return services;
    }
}
