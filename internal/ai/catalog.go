package ai

import (
	"sort"
	"strings"
)

// Task is a Workers AI task type, named as Cloudflare's model catalogue
// names it (task.name in env.AI.models()).
type Task string

// The task types zerostack knows. Each decides the input and output shapes
// of [Service.Run].
const (
	TextGeneration      Task = "Text Generation"
	TextEmbeddings      Task = "Text Embeddings"
	TextClassification  Task = "Text Classification"
	Summarization       Task = "Summarization"
	Translation         Task = "Translation"
	ImageClassification Task = "Image Classification"
	TextToImage         Task = "Text-to-Image"
	SpeechRecognition   Task = "Automatic Speech Recognition"
	// ImageEmbeddings is not a Cloudflare task: the guide calls
	// @cf/openai/clip-vit-base-patch32, which Workers AI does not offer.
	ImageEmbeddings Task = "Image Embeddings"
)

// Model is one entry of the catalogue.
type Model struct {
	ID          string
	Task        Task
	Description string
	// Dimensions is the length of an embedding (embedding models only), as
	// Cloudflare's model returns it; the provider that serves the id may
	// differ (the embedded encoder returns 512).
	Dimensions int
	// ContextWindow is the model's context in tokens (text generation).
	ContextWindow int
	// Tools tells whether the model accepts tools (function calling).
	Tools bool
	// Labels are the classes of a classifier, with a description each that
	// nearest-centroid classification embeds.
	Labels []Label
	// Deprecated marks ids Cloudflare has retired; they are still served.
	Deprecated bool
	// NotCloudflare marks ids the guide uses that Workers AI never offered.
	NotCloudflare bool
}

// Label is a class of a text classifier and the sentences that describe it.
type Label struct {
	Name         string
	Descriptions []string
}

// sentiment is the label set of distilbert-sst-2, described by sentences
// that carry the sentiment (the centroid of their embeddings is the class).
var sentiment = []Label{
	{Name: "NEGATIVE", Descriptions: []string{
		"This is terrible, I hate it.",
		"A bad, disappointing and awful experience.",
		"I am angry and unhappy with this product.",
		"The service was slow, rude and broken.",
		"What a waste of money, it does not work.",
	}},
	{Name: "POSITIVE", Descriptions: []string{
		"This is wonderful, I love it.",
		"A great, delightful and excellent experience.",
		"I am happy and satisfied with this product.",
		"The service was fast, friendly and helpful.",
		"Well worth the money, it works perfectly.",
	}},
}

// catalog lists the eleven ids the guide uses (INVENTORY.md §1.6) and the
// current models most examples on Cloudflare's site use.
var catalog = []Model{
	{ID: "@cf/meta/llama-2-7b-chat-int8", Task: TextGeneration, Description: "Llama 2 7B chat, int8 quantized.", ContextWindow: 8192, Deprecated: true},
	{ID: "@cf/mistral/mistral-7b-instruct-v0.1", Task: TextGeneration, Description: "Mistral 7B Instruct v0.1.", ContextWindow: 2824, Deprecated: true},
	{ID: "@cf/microsoft/phi-2", Task: TextGeneration, Description: "Phi-2, a 2.7B model for code and reasoning.", ContextWindow: 2048, Deprecated: true},
	{ID: "@cf/meta/llama-3.1-8b-instruct", Task: TextGeneration, Description: "Llama 3.1 8B Instruct.", ContextWindow: 7968, Tools: true},
	{ID: "@cf/meta/llama-3.2-3b-instruct", Task: TextGeneration, Description: "Llama 3.2 3B Instruct.", ContextWindow: 128000},
	{ID: "@cf/meta/llama-3.3-70b-instruct-fp8-fast", Task: TextGeneration, Description: "Llama 3.3 70B Instruct, fp8.", ContextWindow: 24000, Tools: true},
	{ID: "@hf/nousresearch/hermes-2-pro-mistral-7b", Task: TextGeneration, Description: "Hermes 2 Pro on Mistral 7B, with function calling.", ContextWindow: 24000, Tools: true},
	{ID: "@cf/baai/bge-base-en-v1.5", Task: TextEmbeddings, Description: "BAAI general embedding, base, English.", Dimensions: 768},
	{ID: "@cf/baai/bge-small-en-v1.5", Task: TextEmbeddings, Description: "BAAI general embedding, small, English.", Dimensions: 384},
	{ID: "@cf/baai/bge-large-en-v1.5", Task: TextEmbeddings, Description: "BAAI general embedding, large, English.", Dimensions: 1024},
	{ID: "@cf/baai/bge-m3", Task: TextEmbeddings, Description: "BAAI multilingual embedding.", Dimensions: 1024},
	{ID: "@cf/huggingface/distilbert-sst-2-int8", Task: TextClassification, Description: "DistilBERT fine-tuned on SST-2: sentiment (POSITIVE, NEGATIVE).", Labels: sentiment},
	{ID: "@cf/facebook/bart-large-cnn", Task: Summarization, Description: "BART large, fine-tuned on CNN Daily Mail: summaries."},
	{ID: "@cf/meta/m2m100-1.2b", Task: Translation, Description: "M2M100 1.2B: translation between 100 languages."},
	{ID: "@cf/microsoft/resnet-50", Task: ImageClassification, Description: "ResNet-50 image classifier (ImageNet classes)."},
	{ID: "@cf/stabilityai/stable-diffusion-xl-base-1.0", Task: TextToImage, Description: "Stable Diffusion XL base 1.0."},
	{ID: "@cf/lykon/dreamshaper-8-lcm", Task: TextToImage, Description: "DreamShaper 8 LCM."},
	{ID: "@cf/openai/whisper", Task: SpeechRecognition, Description: "Whisper speech recognition."},
	{ID: "@cf/openai/clip-vit-base-patch32", Task: ImageEmbeddings, Description: "CLIP ViT-B/32 image embeddings (not in Cloudflare's catalogue; the guide uses it).", Dimensions: 512, NotCloudflare: true},
}

var byID = func() map[string]*Model {
	m := make(map[string]*Model, len(catalog))
	for i := range catalog {
		m[catalog[i].ID] = &catalog[i]
	}
	return m
}()

// Lookup returns the catalogue entry of id. Ids are matched exactly, as
// Workers AI matches them.
func Lookup(id string) (Model, bool) {
	if m, ok := byID[id]; ok {
		return *m, true
	}
	return Model{}, false
}

// Catalog returns every known model, sorted by id.
func Catalog() []Model {
	out := make([]Model, len(catalog))
	copy(out, catalog)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// author returns the author part of a model id (@cf/meta/x → meta).
func author(id string) string {
	parts := strings.Split(id, "/")
	if len(parts) >= 3 {
		return parts[1]
	}
	return ""
}

// taskID is the id Cloudflare's catalogue gives a task (a stable UUID in
// its API; zerostack uses the task's slug).
func taskID(t Task) string {
	return strings.ToLower(strings.NewReplacer(" ", "-").Replace(string(t)))
}
