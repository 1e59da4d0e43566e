using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BookMyShow.Workers.Notifications.Email;

public static class MailRegistration
{
    /// <summary>
    /// Mail options (section "Notifications:Mail", validated at start), <see cref="BookingEmailComposer"/> and the
    /// <see cref="IMailSender"/>: SMTP when Notifications:Mail:Host is set, otherwise the pickup directory or the log.
    /// </summary>
    public static IServiceCollection AddMail(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MailOptions>().Bind(configuration.GetSection(MailOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MailOptions>, MailOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BookingEmailComposer>();
        services.TryAddSingleton<IMailSender>(sp => string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<MailOptions>>().Value.Host)
            ? ActivatorUtilities.CreateInstance<LocalMailSender>(sp)
            : ActivatorUtilities.CreateInstance<SmtpMailSender>(sp));
        return services;
    }
}
